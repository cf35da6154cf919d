using System.Text;
using Flo.Security;

namespace Flo.Endpoints.Resp;

/// <summary>
/// The connection's token (<c>AUTH [username] token</c>, <c>HELLO 2 AUTH username token</c>): when the cluster requires
/// tokens, every command but AUTH, HELLO and QUIT answers <c>-NOAUTH</c> until one is accepted, an unknown token answers
/// <c>-WRONGPASS</c>, and a command the token does not grant on the selected namespace answers <c>-NOPERM</c> without
/// running. The username is ignored: the token alone says what the connection may do.
/// </summary>
internal sealed partial class RespSession
{
    private FloTokenGrant? grant;
    private bool canRead;
    private bool canWrite;

    private const string NoAuth = "NOAUTH Authentication required.";
    private const string WrongPass = "WRONGPASS invalid username-password pair or user is disabled.";

    // As Redis without a password: a client configured with one learns the server does not want it.
    private const string NoPasswordConfigured = "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?";

    /// <summary>
    /// Answers a command the connection may not run (true: an error was written and the command must not run); false
    /// when it may run, or when no tokens are configured.
    /// </summary>
    private bool Refused(string name, RespWriter reply)
    {
        if (!access.Enabled || RespCommandAccess.AllowedBeforeAuth(name))
        {
            return false;
        }
        if (grant is null)
        {
            reply.Error(NoAuth);
            return true;
        }
        var need = RespCommandAccess.Of(name);
        if (need == RespCommandAccess.Need.Connection || (need == RespCommandAccess.Need.Read ? canRead : canWrite))
        {
            return false;
        }
        reply.Error(NoPerm(name, ns, need == RespCommandAccess.Need.Write));
        return true;
    }

    /// <summary>AUTH password, or AUTH username password.</summary>
    private void Auth(byte[][] args, RespWriter reply)
    {
        if (args.Length is not (2 or 3))
        {
            throw new RespCommandException("wrong number of arguments for 'auth' command");
        }
        if (!access.Enabled)
        {
            reply.Error(NoPasswordConfigured);
            return;
        }
        if (SignIn(args[^1]))
        {
            reply.Ok();
        }
        else
        {
            reply.Error(WrongPass);
        }
    }

    /// <summary>Takes the token's grant; false (and the connection keeps what it had) when the token is unknown.</summary>
    private bool SignIn(byte[] token)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(token);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
        if (access.Find(text) is not { } found)
        {
            return false;
        }
        grant = found;
        GrantsChanged();
        return true;
    }

    /// <summary>Recomputes what the connection may do on the selected namespace (after AUTH and SELECT), so commands check two booleans.</summary>
    private void GrantsChanged()
    {
        canRead = grant?.Allows(ns, write: false) ?? false;
        canWrite = grant?.Allows(ns, write: true) ?? false;
    }

    /// <summary>Whether SELECT may switch to <paramref name="selected"/>: the token must at least read it.</summary>
    private bool MaySelect(string selected) => !access.Enabled || grant?.Allows(selected, write: false) == true;

    private string NoPerm(string command, string @namespace, bool write)
        => "NOPERM " + FloAccessDeniedException.Describe(FloAccessDenial.NotGranted, @namespace, write, $"'{command.ToLowerInvariant()}'", grant?.Name);
}
