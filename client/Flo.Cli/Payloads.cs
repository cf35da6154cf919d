using System.Text;
using System.Text.Json;

namespace Flo.Cli;

/// <summary>
/// Bytes in and out of the command line. The platform stores bytes; a shell passes text. A payload argument is its
/// UTF-8 text, or <c>@path</c> for a file's bytes, <c>@-</c> for standard input, <c>@@text</c> for text that starts
/// with <c>@</c>. A value is printed as its text when it is valid UTF-8 without control characters (tabs and line
/// breaks allowed), else as base64, and JSON output says which (<c>encoding</c>: <c>utf8</c> or <c>base64</c>).
/// </summary>
public static class Payloads
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The bytes a payload argument stands for.</summary>
    public static async Task<byte[]> ReadAsync(string argument, Func<Stream> standardInput, CancellationToken cancellationToken)
    {
        if (argument.StartsWith("@@", StringComparison.Ordinal))
        {
            return Encoding.UTF8.GetBytes(argument[1..]);
        }
        if (argument == "@-")
        {
            using var buffer = new MemoryStream();
            await standardInput().CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            return buffer.ToArray();
        }
        if (argument.StartsWith('@'))
        {
            var path = argument[1..];
            try
            {
                return await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw CliException.Usage($"cannot read payload file '{path}': {e.Message}");
            }
        }
        return Encoding.UTF8.GetBytes(argument);
    }

    /// <summary>
    /// The UTF-8 bytes of a JSON text given on the command line (or read with <c>@file</c>), checked to be one JSON
    /// value so a typo fails here with the parser's position rather than in a worker.
    /// </summary>
    public static async Task<byte[]> ReadJsonAsync(string argument, string optionName, Func<Stream> standardInput, CancellationToken cancellationToken)
    {
        var bytes = await ReadAsync(argument, standardInput, cancellationToken).ConfigureAwait(false);
        try
        {
            using var _ = JsonDocument.Parse(bytes);
        }
        catch (JsonException e)
        {
            throw CliException.Usage($"{optionName} is not valid JSON: {e.Message}");
        }
        return bytes;
    }

    /// <summary>The value as printable text, or base64 when it is not (see the type's remarks).</summary>
    public static (string Text, string Encoding) Describe(byte[]? value)
    {
        if (value is null || value.Length == 0)
        {
            return ("", "utf8");
        }
        try
        {
            var text = StrictUtf8.GetString(value);
            if (text.All(c => !char.IsControl(c) || c is '\t' or '\n' or '\r'))
            {
                return (text, "utf8");
            }
        }
        catch (DecoderFallbackException)
        {
            // Not UTF-8: base64 below.
        }
        return (Convert.ToBase64String(value), "base64");
    }

    /// <summary>The value for a table cell: its text, or <c>base64:...</c>.</summary>
    public static string Show(byte[]? value)
    {
        var (text, encoding) = Describe(value);
        return encoding == "utf8" ? text : "base64:" + text;
    }
}
