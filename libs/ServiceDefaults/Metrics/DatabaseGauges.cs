using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CarePlanMesh.ServiceDefaults.Metrics;

/// <summary>
/// A gauge read from the service's own schema. <paramref name="Sql"/> returns rows of (label value or NULL, number);
/// <paramref name="Label"/> names the label the first column fills. Label values must be codes (states, channels), never
/// office numbers or anything about a person.
/// </summary>
public sealed record DatabaseGauge(string Name, string Unit, string Description, string? Label, string Sql);

public static class DatabaseGaugeExtensions
{
    /// <summary>Samples <paramref name="gauge"/> every Metrics:SampleInterval (15 s) in the background; scrapes never wait on the database.</summary>
    public static WebApplicationBuilder AddDatabaseGauge(this WebApplicationBuilder builder, DatabaseGauge gauge)
    {
        builder.Services.AddMetrics();
        builder.Services.AddSingleton(gauge);
        builder.Services.AddHostedService<DatabaseGaugeSampler>();
        return builder;
    }
}

sealed partial class DatabaseGaugeSampler : BackgroundService
{
    readonly NpgsqlDataSource _dataSource;
    readonly DatabaseGauge[] _gauges;
    readonly TimeSpan _interval;
    readonly ILogger<DatabaseGaugeSampler> _logger;
    readonly ConcurrentDictionary<string, Measurement<double>[]> _values = new();

    public DatabaseGaugeSampler(NpgsqlDataSource dataSource, IEnumerable<DatabaseGauge> gauges, IMeterFactory meters, IConfiguration configuration, ILogger<DatabaseGaugeSampler> logger)
    {
        _dataSource = dataSource;
        _gauges = [.. gauges];
        _interval = configuration.GetValue("Metrics:SampleInterval", TimeSpan.FromSeconds(15));
        _logger = logger;
        var meter = meters.Create(ServiceDefaultsExtensions.Meter.Name);
        foreach (var gauge in _gauges)
            meter.CreateObservableGauge(gauge.Name, () => _values.GetValueOrDefault(gauge.Name, []), gauge.Unit, gauge.Description);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_interval);
        do
        {
            foreach (var gauge in _gauges)
                await Sample(gauge, stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    async Task Sample(DatabaseGauge gauge, CancellationToken cancellationToken)
    {
        try
        {
            await using var command = _dataSource.CreateCommand(gauge.Sql);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var measurements = new List<Measurement<double>>();
            while (await reader.ReadAsync(cancellationToken))
            {
                if (reader.IsDBNull(1))
                    continue;
                var value = Convert.ToDouble(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture);
                measurements.Add(gauge.Label is null || reader.IsDBNull(0)
                    ? new Measurement<double>(value)
                    : new Measurement<double>(value, new KeyValuePair<string, object?>(gauge.Label, reader.GetString(0))));
            }
            _values[gauge.Name] = [.. measurements];
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException)
        {
            // A stale value would claim a state the database no longer vouches for: the gauge goes absent until it answers.
            _values.TryRemove(gauge.Name, out _);
            LogSampleFailed(_logger, gauge.Name, exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not sample the gauge {Gauge}; it is absent until PostgreSQL answers")]
    static partial void LogSampleFailed(ILogger logger, string gauge, Exception exception);
}
