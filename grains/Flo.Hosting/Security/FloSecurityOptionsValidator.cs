using System.Globalization;
using Flo.Kv;
using Flo.Security;
using Microsoft.Extensions.Options;

namespace Flo.Hosting.Security;

/// <summary>
/// Checks <c>Cluster:Security</c> when the silo starts (<c>ValidateOnStart</c>), naming the entry and what is wrong:
/// each token has exactly one of Token (long enough) or TokenSha256 (64 hex digits), at least one namespace, each a
/// valid name or <c>*</c>; a tokens file exists and holds the same.
/// </summary>
internal sealed class FloSecurityOptionsValidator : IValidateOptions<FloSecurityOptions>
{
    public ValidateOptionsResult Validate(string? name, FloSecurityOptions options)
    {
        var problems = new List<string>();
        for (var i = 0; i < options.Tokens.Count; i++)
        {
            var token = options.Tokens[i];
            Check(token, $"{FloSecurityOptions.Section}:Tokens:{i}{(token.Name is { Length: > 0 } label ? $" ({label})" : "")}", problems);
        }
        if (!string.IsNullOrWhiteSpace(options.TokensFile))
        {
            try
            {
                var tokens = FloTokensFile.Read(options.TokensFile);
                for (var i = 0; i < tokens.Count; i++)
                {
                    Check(tokens[i], $"{options.TokensFile}: Tokens:{i}", problems);
                }
            }
            catch (Exception e)
            {
                problems.Add($"{FloSecurityOptions.Section}:TokensFile '{options.TokensFile}' cannot be read: {e.Message}");
            }
        }
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    internal static void Check(FloTokenOptions token, string where, List<string> problems)
    {
        var hasToken = !string.IsNullOrEmpty(token.Token);
        var hasHash = !string.IsNullOrEmpty(token.TokenSha256);
        if (hasToken == hasHash)
        {
            problems.Add($"{where}: set either Token or TokenSha256{(hasToken ? ", not both" : "")}.");
        }
        if (hasToken && token.Token!.Length < FloTokenOptions.MinTokenLength)
        {
            problems.Add($"{where}: Token is {token.Token.Length} characters; use at least {FloTokenOptions.MinTokenLength} (e.g. openssl rand -hex 32).");
        }
        if (hasHash && !IsSha256Hex(token.TokenSha256!))
        {
            problems.Add($"{where}: TokenSha256 must be 64 hex digits (sha256sum of the token); got {token.TokenSha256!.Length} characters.");
        }
        if (token.Namespaces.Count == 0)
        {
            problems.Add($"{where}: Namespaces is empty; list the namespaces it grants, or '*' for all.");
        }
        foreach (var ns in token.Namespaces)
        {
            if (ns != FloTokenGrant.All && KvKeys.NamespaceError(ns) is { } error)
            {
                problems.Add($"{where}: {error}");
            }
        }
        if (!Enum.IsDefined(token.Access))
        {
            problems.Add($"{where}: Access must be Read or ReadWrite; got {token.Access}.");
        }
    }

    private static bool IsSha256Hex(string value)
        => value.Length == 64 && value.All(char.IsAsciiHexDigit);

    internal static byte[] HashOf(FloTokenOptions token)
        => !string.IsNullOrEmpty(token.Token) ? FloAccessControl.Hash(token.Token) : Convert.FromHexString(token.TokenSha256!.ToLower(CultureInfo.InvariantCulture));
}
