using Flo.Storage;
using Microsoft.Extensions.Logging;

namespace Flo.Hosting;

/// <summary>
/// Applies the project's PostgreSQL schema (our grain storage, and the tables and queries of Orleans' ADO.NET
/// clustering, reminders and persistence) at the very first silo lifecycle stage: ADO.NET clustering reads its queries
/// from the database as the silo starts, before any storage provider initializes. Idempotent; concurrent silos agree.
/// </summary>
internal sealed class PostgresSchemaParticipant(string connectionString, ILoggerFactory loggerFactory) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle)
        => lifecycle.Subscribe(nameof(PostgresSchemaParticipant), ServiceLifecycleStage.First, ApplyAsync);

    private Task ApplyAsync(CancellationToken cancellationToken)
        => FloSchema.ApplyPostgresAsync(connectionString, cancellationToken, loggerFactory);
}
