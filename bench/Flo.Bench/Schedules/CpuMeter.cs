using System.Diagnostics;
using Npgsql;

namespace Flo.Bench.Schedules;

/// <summary>CPU time used so far: this process, the PostgreSQL server's processes, and the whole machine (busy and total).</summary>
/// <remarks>With this process's garbage collections and the time they paused it: a pause stops every handler and timer.</remarks>
public readonly record struct CpuSample(TimeSpan Process, TimeSpan Postgres, TimeSpan MachineBusy, TimeSpan MachineTotal, int Collections, TimeSpan GcPause, int Gen1, int Gen2);

/// <summary>
/// Reads CPU time: <see cref="Process.TotalProcessorTime"/> for the bench process (silo, worker and client, or Quartz), and
/// from /proc the PostgreSQL server's (postmaster and its backends: both sides write there, so the process alone would
/// hide where most of a durable scheduler's work goes) and the machine's, to tell whether the 2 cores were the limit.
/// </summary>
public sealed class CpuMeter
{
    // USER_HZ: /proc reports CPU times in these ticks; 100 on every Linux this bench runs on.
    private const double TicksPerSecond = 100;

    private readonly int? postmaster;

    private CpuMeter(int? postmaster) => this.postmaster = postmaster;

    /// <summary>A meter for this process and the PostgreSQL server behind <paramref name="postgres"/> (if its pid can be read).</summary>
    public static async Task<CpuMeter> CreateAsync(string postgres, CancellationToken cancellationToken)
    {
        int? pid = null;
        try
        {
            await using var connection = new NpgsqlConnection(postgres);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SHOW data_directory", connection);
            var dataDirectory = (string)(await command.ExecuteScalarAsync(cancellationToken))!;
            // The first line of postmaster.pid is the server's pid.
            var first = (await File.ReadAllLinesAsync(Path.Combine(dataDirectory, "postmaster.pid"), cancellationToken))[0];
            pid = int.Parse(first.Trim());
        }
        catch (Exception e) when (e is NpgsqlException or IOException or UnauthorizedAccessException or FormatException)
        {
            Console.WriteLine($"schedules: PostgreSQL's CPU is not measured ({e.Message})");
        }
        return new CpuMeter(pid);
    }

    /// <summary>CPU used until now.</summary>
    public CpuSample Take()
    {
        using var self = Process.GetCurrentProcess();
        var (busy, total) = Machine();
        return new CpuSample(self.TotalProcessorTime, Postgres(), busy, total, GC.CollectionCount(0), GC.GetTotalPauseDuration(), GC.CollectionCount(1), GC.CollectionCount(2));
    }

    /// <summary>
    /// The server's CPU: the postmaster's own and that of its children that exited (cutime, cstime), plus its live
    /// backends'. A backend that exits inside a window brings all its earlier CPU with it; pooled connections rarely do.
    /// </summary>
    private TimeSpan Postgres()
    {
        if (postmaster is not { } pid || Stat(pid) is not { } main)
        {
            return TimeSpan.Zero;
        }
        var ticks = main.UTime + main.STime + main.CUTime + main.CSTime;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var child) && child != pid && Stat(child) is { } s && s.Parent == pid)
            {
                ticks += s.UTime + s.STime;
            }
        }
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }

    private static (int Parent, long UTime, long STime, long CUTime, long CSTime)? Stat(int pid)
    {
        string line;
        try
        {
            line = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        // Fields after the command name, which is in parentheses and may hold spaces: state, ppid, ... utime is field 14.
        var f = line[(line.LastIndexOf(')') + 2)..].Split(' ');
        return (int.Parse(f[1]), long.Parse(f[11]), long.Parse(f[12]), long.Parse(f[13]), long.Parse(f[14]));
    }

    /// <summary>The machine's busy and total CPU time from the first line of /proc/stat (idle and iowait are not busy).</summary>
    private static (TimeSpan Busy, TimeSpan Total) Machine()
    {
        var f = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..].Select(long.Parse).ToArray();
        var total = f.Take(8).Sum();
        var idle = f[3] + f[4];
        return (TimeSpan.FromSeconds((total - idle) / TicksPerSecond), TimeSpan.FromSeconds(total / TicksPerSecond));
    }
}
