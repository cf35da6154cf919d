namespace Flo.Endpoints.Resp;

/// <summary>
/// What a RESP command needs from the connection's token (<c>Cluster:Security</c>): nothing beyond being signed in
/// (connection commands: PING, ECHO, HELLO, CLIENT, CONFIG, COMMAND, INFO, QUIT, SELECT, which checks the namespace it
/// selects), read access or write access to the selected namespace. Every data command works on the selected namespace
/// only, so a command cannot reach outside it.
/// </summary>
internal static class RespCommandAccess
{
    /// <summary>What a command needs.</summary>
    public enum Need
    {
        /// <summary>Only a signed-in connection.</summary>
        Connection,

        /// <summary>Read access to the selected namespace.</summary>
        Read,

        /// <summary>Write access to the selected namespace.</summary>
        Write,
    }

    private static readonly Dictionary<string, Need> Needs = new(StringComparer.Ordinal)
    {
        ["GET"] = Need.Read, ["EXISTS"] = Need.Read, ["MGET"] = Need.Read, ["TTL"] = Need.Read, ["PTTL"] = Need.Read, ["SCAN"] = Need.Read,
        ["SET"] = Need.Write, ["SETNX"] = Need.Write, ["SETEX"] = Need.Write, ["PSETEX"] = Need.Write, ["DEL"] = Need.Write, ["UNLINK"] = Need.Write,
        ["MSET"] = Need.Write, ["INCR"] = Need.Write, ["DECR"] = Need.Write, ["INCRBY"] = Need.Write, ["DECRBY"] = Need.Write,
        ["EXPIRE"] = Need.Write, ["PEXPIRE"] = Need.Write,
        ["XRANGE"] = Need.Read, ["XREVRANGE"] = Need.Read, ["XREAD"] = Need.Read, ["XLEN"] = Need.Read, ["XPENDING"] = Need.Read, ["XINFO"] = Need.Read,
        // XREADGROUP moves the group's cursor and hands records out: a write, as over the client and HTTP.
        ["XADD"] = Need.Write, ["XTRIM"] = Need.Write, ["XDEL"] = Need.Write, ["XGROUP"] = Need.Write, ["XREADGROUP"] = Need.Write,
        ["XACK"] = Need.Write, ["XCLAIM"] = Need.Write, ["XAUTOCLAIM"] = Need.Write,
    };

    /// <summary>What <paramref name="name"/> (upper case) needs; an unknown command needs only a connection (it is refused as unknown anyway).</summary>
    public static Need Of(string name) => Needs.GetValueOrDefault(name, Need.Connection);

    /// <summary>Commands an unauthenticated connection may send when tokens are required (Redis allows the same).</summary>
    public static bool AllowedBeforeAuth(string name) => name is "AUTH" or "HELLO" or "QUIT";
}
