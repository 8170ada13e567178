using System.Net.Sockets;
using MassTransit;
using Npgsql;

namespace CarePlanMesh.ServiceDefaults.Errors;

/// <summary>
/// Which failures may succeed if tried again: the database, the broker or the network not answering, or a request timing
/// out. Everything else (a bug, a broken payload, a refused constraint) fails the same way every time, so it is never retried.
/// </summary>
public static class TransientErrors
{
    public static bool IsTransient(Exception exception) => exception switch
    {
        NpgsqlException npgsql => IsDatabaseUnavailable(npgsql),
        // A stream that ends early (a truncated payload) or a file or folder that is not there fails the same way every time.
        EndOfStreamException or FileNotFoundException or DirectoryNotFoundException or DriveNotFoundException or PathTooLongException
            or FileLoadException => false,
        TimeoutException or RequestTimeoutException or SocketException or IOException => true,
        ConnectionException or TransportUnavailableException or MessageNotAcknowledgedException => true,
        // The broker client's own: unreachable, connection or channel closed under us.
        _ when exception.GetType().Namespace?.StartsWith("RabbitMQ.Client", StringComparison.Ordinal) == true => true,
        AggregateException aggregate => aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(IsTransient),
        _ => exception.InnerException is { } inner && IsTransient(inner),
    };

    /// <summary>
    /// The same judgement on a fault that crossed the bus (<see cref="Fault{T}"/> carries exception types and messages, not
    /// exceptions): by type name, and for PostgreSQL's own errors by SQLSTATE class (08 connection, 53 resources, 57P
    /// shutdown, 40001/40P01 serialization and deadlock).
    /// </summary>
    public static bool IsTransient(ExceptionInfo exception) => exception.ExceptionType switch
    {
        "Npgsql.NpgsqlException" or "System.TimeoutException" or "MassTransit.RequestTimeoutException" or "System.Net.Sockets.SocketException"
            or "System.IO.IOException" or "MassTransit.ConnectionException" or "MassTransit.TransportUnavailableException"
            or "MassTransit.MessageNotAcknowledgedException" => true,
        "Npgsql.PostgresException" => exception.Message is { } message
            && (message.StartsWith("08", StringComparison.Ordinal) || message.StartsWith("53", StringComparison.Ordinal)
                || message.StartsWith("57P", StringComparison.Ordinal) || message.StartsWith("40001", StringComparison.Ordinal)
                || message.StartsWith("40P01", StringComparison.Ordinal)),
        { } type when type.StartsWith("RabbitMQ.Client", StringComparison.Ordinal) => true,
        _ => exception.InnerException is { } inner && IsTransient(inner),
    };

    /// <summary>
    /// The judgement on a whole <see cref="Fault{T}"/> (its Exceptions, one per inner exception of an AggregateException), by
    /// the same rule as for an AggregateException: transient only when every one is.
    /// </summary>
    public static bool IsTransient(IReadOnlyCollection<ExceptionInfo> exceptions) => exceptions.Count > 0 && exceptions.All(IsTransient);

    /// <summary>PostgreSQL does not answer, or answers that it cannot serve now (shutting down, too many connections, serialization).</summary>
    public static bool IsDatabaseUnavailable(Exception exception) => exception switch
    {
        NpgsqlException npgsql => npgsql is not PostgresException || npgsql.IsTransient,
        _ => exception.InnerException is { } inner && IsDatabaseUnavailable(inner),
    };

    /// <summary>The broker does not answer or does not confirm.</summary>
    public static bool IsBrokerUnavailable(Exception exception) => exception switch
    {
        ConnectionException or TransportUnavailableException or MessageNotAcknowledgedException => true,
        _ when exception.GetType().Namespace?.StartsWith("RabbitMQ.Client", StringComparison.Ordinal) == true => true,
        _ => exception.InnerException is { } inner && IsBrokerUnavailable(inner),
    };
}
