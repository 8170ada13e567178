using CarePlanMesh.ServiceDefaults.Errors;
using MassTransit;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Timeouts;
using Npgsql;

namespace CarePlanMesh.ServiceDefaults.Tests;

/// <summary>What a caller is told when a request throws: the reason, status and Retry-After of each kind of failure.</summary>
public sealed class ErrorPolicyTests
{
    static ErrorPolicy.Failure Classify(Exception exception, Action<DefaultHttpContext>? arrange = null)
    {
        var context = new DefaultHttpContext();
        arrange?.Invoke(context);
        return ErrorPolicy.Classify(exception, context);
    }

    [Fact]
    public void A_service_that_does_not_answer_a_bus_request_is_a_503_with_retry_after()
    {
        var failure = Classify(new RequestTimeoutException("no answer"));
        Assert.Equal((503, "dependency-unavailable", 10), (failure.Status, failure.Reason, failure.RetryAfterSeconds));
        Assert.Equal("dependency-unavailable", Classify(new RequestCanceledException()).Reason);
    }

    [Fact]
    public void The_database_or_the_broker_not_answering_is_a_503_naming_it()
    {
        var database = Classify(new NpgsqlException("Failed to connect", new System.Net.Sockets.SocketException()));
        Assert.Equal((503, "database-unavailable", 10), (database.Status, database.Reason, database.RetryAfterSeconds));
        Assert.Equal("database-unavailable", Classify(new PostgresException("too many clients", "FATAL", "FATAL", "53300")).Reason);
        var broker = Classify(new ConnectionException("broker unreachable"));
        Assert.Equal((503, "bus-unavailable", 10), (broker.Status, broker.Reason, broker.RetryAfterSeconds));
    }

    [Fact]
    public void A_request_past_its_deadline_is_the_deadline_503()
    {
        using var deadline = new CancellationTokenSource();
        deadline.Cancel();
        var failure = Classify(new OperationCanceledException(), context => context.Features.Set<IHttpRequestTimeoutFeature>(new PassedDeadline(deadline.Token)));
        Assert.Same(ErrorPolicy.DeadlinePassed, failure);
        Assert.Equal(503, failure.Status);
    }

    [Fact]
    public void A_client_that_went_away_is_499_and_not_an_error()
    {
        using var aborted = new CancellationTokenSource();
        aborted.Cancel();
        Assert.Equal((499, "client-closed-request"), Pair(Classify(new OperationCanceledException(), context => context.RequestAborted = aborted.Token)));
        Assert.Equal((499, "client-closed-request"), Pair(Classify(new IOException("reset"), context => context.RequestAborted = aborted.Token)));
    }

    [Fact]
    public void An_unreadable_body_is_a_400_and_one_over_the_limit_a_413()
    {
        Assert.Equal((400, "malformed-request"), Pair(Classify(new BadHttpRequestException("Failed to read parameter", StatusCodes.Status400BadRequest))));
        Assert.Equal((400, "malformed-request"), Pair(Classify(new IOException("Unexpected end of request content."))));
        Assert.Equal((400, "malformed-request"), Pair(Classify(new InvalidDataException("Multipart body length limit exceeded"))));
        Assert.Equal((413, "too-large"), Pair(Classify(new BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge))));
    }

    [Fact]
    public void Anything_else_is_a_500_in_both_languages_that_names_no_exception()
    {
        var failure = Classify(new InvalidOperationException("Sequence contains no elements at Npgsql.Something"));
        Assert.Equal((500, "internal-error"), Pair(failure));
        Assert.Null(failure.RetryAfterSeconds);
        foreach (var text in new[] { failure.Title, failure.TitleJa, failure.Detail, failure.DetailJa })
        {
            Assert.False(string.IsNullOrWhiteSpace(text));
            Assert.DoesNotContain("Sequence", text);
            Assert.DoesNotContain("Exception", text);
        }
    }

    static (int, string) Pair(ErrorPolicy.Failure failure) => (failure.Status, failure.Reason);

    sealed class PassedDeadline(CancellationToken token) : IHttpRequestTimeoutFeature
    {
        public CancellationToken RequestTimeoutToken => token;
        public void DisableTimeout() { }
    }
}
