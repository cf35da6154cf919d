using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Flo.Cli;

/// <summary>
/// How a command prints its result: Spectre tables for people, or with <c>--json</c> exactly one JSON document on
/// standard output (snake_case, as the HTTP API) and nothing else, so <c>flo ... --json | jq</c> always parses.
/// Followers (<c>kv watch</c>, <c>stream tail</c>) print one compact JSON document per line instead (JSON Lines).
/// Errors go to standard error as one line, whatever the format.
/// </summary>
public sealed class Output
{
    /// <summary>The JSON settings of <c>--json</c>: snake_case names and enum values, indented.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    private static readonly JsonSerializerOptions JsonLineOptions = new(JsonOptions) { WriteIndented = false };

    private readonly CliEnvironment environment;

    /// <summary>Output to <paramref name="environment"/>'s writers, as JSON when <paramref name="json"/>.</summary>
    public Output(CliEnvironment environment, bool json)
    {
        this.environment = environment;
        IsJson = json;
        var redirected = !ReferenceEquals(environment, CliEnvironment.Process) || System.Console.IsOutputRedirected;
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(environment.Out),
            // Colour codes only for a terminal: piped tables stay plain text for grep and awk.
            Ansi = redirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = redirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = InteractionSupport.No,
        });
        if (environment.Width is { } width)
        {
            Console.Profile.Width = width;
        }
        else if (redirected)
        {
            // Spectre assumes 80 columns off a terminal, which wraps ids and payloads inside cells.
            Console.Profile.Width = 200;
        }
    }

    /// <summary>Whether <c>--json</c> was given.</summary>
    public bool IsJson { get; }

    /// <summary>The Spectre console over standard output, for people.</summary>
    public IAnsiConsole Console { get; }

    /// <summary>Prints <paramref name="json"/> with <c>--json</c>, else what <paramref name="human"/> renders.</summary>
    public void Result(object json, Func<IRenderable> human)
    {
        if (IsJson)
        {
            environment.Out.WriteLine(JsonSerializer.Serialize(json, JsonOptions));
        }
        else
        {
            Console.Write(human());
        }
        environment.Out.Flush();
    }

    /// <summary>One item of a follower: a compact JSON line with <c>--json</c>, else what <paramref name="human"/> renders.</summary>
    public void Item(object json, Func<IRenderable> human)
    {
        if (IsJson)
        {
            environment.Out.WriteLine(JsonSerializer.Serialize(json, JsonLineOptions));
        }
        else
        {
            Console.Write(human());
        }
        environment.Out.Flush();
    }

    /// <summary>A note for people on standard error (never mixed into the JSON on standard output).</summary>
    public void Note(string text)
    {
        environment.Error.WriteLine(text);
        environment.Error.Flush();
    }

    /// <summary>The one-line error of a failed command.</summary>
    public void Error(string message) => Note("flo: error: " + message);

    /// <summary>A table with these columns, in the tool's style.</summary>
    public static Table Table(params string[] columns)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var column in columns)
        {
            table.AddColumn(new TableColumn(new Text(column, new Style(decoration: Decoration.Bold))));
        }
        return table;
    }

    /// <summary>Adds a row of plain texts (user data is never read as Spectre markup).</summary>
    public static Table Row(Table table, params string?[] cells)
    {
        table.AddRow([.. cells.Select(c => (IRenderable)new Text(c ?? ""))]);
        return table;
    }

    /// <summary>A two-column table of field and value, for one item.</summary>
    public static Table Fields(params (string Field, string? Value)[] rows)
    {
        var table = Table("field", "value");
        foreach (var (field, value) in rows)
        {
            Row(table, field, value);
        }
        return table;
    }

    /// <summary>A line of plain text.</summary>
    public static IRenderable Line(string text) => new Rows(new Text(text));

    /// <summary>A table (or any renderable) with a line of text under it: a count, or where to go on.</summary>
    public static IRenderable Footer(IRenderable above, string text) => new Rows(above, new Text(text));

    /// <summary>A Unix time in ms as UTC (<c>2026-01-02 03:04:05.678Z</c>); 0 (never) as <c>-</c>.</summary>
    public static string Time(long unixMs)
        => unixMs <= 0 ? "-" : DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>A number for a table cell.</summary>
    public static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>An optional figure for a table cell (<c>-</c> when unknown).</summary>
    public static string Number(double? value, string format = "0.0") => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "-";

    /// <summary>An enum value as <c>--json</c> prints it (<c>timed_out</c>), so tables and JSON agree.</summary>
    public static string Enum<T>(T value) where T : struct, System.Enum => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    /// <summary>Milliseconds in the largest whole unit (<c>30 s</c>, <c>24 h</c>).</summary>
    public static string Duration(long ms) => ms switch
    {
        >= 3_600_000 when ms % 3_600_000 == 0 => $"{ms / 3_600_000} h",
        >= 60_000 when ms % 60_000 == 0 => $"{ms / 60_000} min",
        >= 1_000 when ms % 1_000 == 0 => $"{ms / 1_000} s",
        _ => $"{ms} ms",
    };
}
