using System.Net.Sockets;
using CarePlanMesh.ServiceDefaults.Errors;
using MassTransit;
using MassTransit.Events;
using Npgsql;

namespace CarePlanMesh.ServiceDefaults.Tests;

/// <summary>Which failures are retried (and left to the sweeper) and which go to the error queue at once.</summary>
public sealed class TransientErrorsTests
{
    static PostgresException Postgres(string sqlState) => new("message text", "ERROR", "ERROR", sqlState);

    public static TheoryData<string> TransientSqlStates => ["08006", "08001", "53300", "53100", "57P01", "57P03", "40001", "40P01"];
    public static TheoryData<string> PermanentSqlStates => ["23505", "23503", "42P01", "22P02"];

    [Theory]
    [MemberData(nameof(TransientSqlStates))]
    public void PostgreSQL_answering_that_it_cannot_serve_now_is_transient(string sqlState)
    {
        Assert.True(TransientErrors.IsTransient(Postgres(sqlState)));
        Assert.True(TransientErrors.IsDatabaseUnavailable(Postgres(sqlState)));
        // The same judgement on the fault that crossed the bus.
        Assert.True(TransientErrors.IsTransient(new FaultExceptionInfo(Postgres(sqlState))));
    }

    [Theory]
    [MemberData(nameof(PermanentSqlStates))]
    public void A_refused_constraint_or_a_broken_statement_is_not_transient(string sqlState)
    {
        Assert.False(TransientErrors.IsTransient(Postgres(sqlState)));
        Assert.False(TransientErrors.IsDatabaseUnavailable(Postgres(sqlState)));
        Assert.False(TransientErrors.IsTransient(new FaultExceptionInfo(Postgres(sqlState))));
    }

    [Fact]
    public void The_database_broker_or_network_not_answering_is_transient_also_when_wrapped()
    {
        Exception[] transient =
        [
            new NpgsqlException("Failed to connect", new SocketException((int)SocketError.ConnectionRefused)),
            new TimeoutException(),
            new RequestTimeoutException("no answer"),
            new SocketException((int)SocketError.ConnectionReset),
            new IOException("Unable to read data from the transport connection"),
            new ConnectionException("broker unreachable"),
            new InvalidOperationException("wrapped", new TimeoutException()),
            new AggregateException(new TimeoutException(), new IOException()),
        ];
        Assert.All(transient, exception => Assert.True(TransientErrors.IsTransient(exception), exception.GetType().Name));
        Assert.All(transient, exception => Assert.True(TransientErrors.IsTransient(new FaultExceptionInfo(exception)), exception.GetType().Name));
    }

    [Fact]
    public void What_fails_the_same_way_every_time_is_not_transient()
    {
        Exception[] permanent =
        [
            new EndOfStreamException(),
            new FileNotFoundException("gone", "payload.bin"),
            new DirectoryNotFoundException(),
            new PathTooLongException(),
            new InvalidOperationException("a bug"),
            new FormatException(),
            new AggregateException(new TimeoutException(), new InvalidOperationException()),
            new InvalidOperationException("wrapped", new EndOfStreamException()),
        ];
        Assert.All(permanent, exception => Assert.False(TransientErrors.IsTransient(exception), exception.GetType().Name));
        Assert.All(permanent.Where(e => e is not AggregateException), exception =>
            Assert.False(TransientErrors.IsTransient(new FaultExceptionInfo(exception)), exception.GetType().Name));
    }

    [Fact]
    public void A_fault_is_transient_only_when_every_exception_it_carries_is()
    {
        Assert.True(TransientErrors.IsTransient([new FaultExceptionInfo(new TimeoutException()), new FaultExceptionInfo(Postgres("40001"))]));
        Assert.False(TransientErrors.IsTransient([new FaultExceptionInfo(new TimeoutException()), new FaultExceptionInfo(Postgres("23505"))]));
        Assert.False(TransientErrors.IsTransient(Array.Empty<ExceptionInfo>()));
    }

    [Fact]
    public void Only_the_broker_not_answering_is_the_broker_unavailable()
    {
        Assert.True(TransientErrors.IsBrokerUnavailable(new ConnectionException("broker unreachable")));
        Assert.True(TransientErrors.IsBrokerUnavailable(new InvalidOperationException("wrapped", new TransportUnavailableException("down"))));
        Assert.False(TransientErrors.IsBrokerUnavailable(new TimeoutException()));
        Assert.False(TransientErrors.IsBrokerUnavailable(Postgres("08006")));
    }
}
