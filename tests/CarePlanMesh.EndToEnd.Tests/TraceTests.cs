using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MimeKit;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>
/// Traces across the real mesh: every service process exports its spans over OTLP to the receiver the fixture hosts
/// (<see cref="OtlpReceiver"/>), and a submission must read as one trace from the HTTP request through every service and
/// back into intake's saga — later steps the sweeper drives included — with no personal data in any span.
/// </summary>
[Collection(MeshCollection.Name)]
public sealed class TraceTests(MeshFixture mesh)
{
    const int Server = 2, Client = 3, Producer = 4, Consumer = 5;

    [Fact]
    public async Task A_submission_is_one_trace_from_the_request_through_every_service_and_back_to_the_saga()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        // As a front door or a vendor's client would send them: the caller's trace context and its request id.
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        var callerSpan = ActivitySpanId.CreateRandom().ToHexString();
        var requestId = $"trace-test-{Guid.NewGuid():N}";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/submissions") { Content = SampleFiles.Form(SampleFiles.PlanSendUnit("20250720090000")) };
        request.Headers.Add("traceparent", $"00-{traceId}-{callerSpan}-01");
        request.Headers.Add("X-Request-Id", requestId);
        using var response = await careOffice.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        await mesh.WaitForState(careOffice, id, "AwaitingPickup");

        // Services export in batches: wait until the last hops (usage counted, the recipient notified) are in and the tree is whole.
        var trace = await Trace(traceId, callerSpan, spans =>
            new[] { "validation", "crypto", "routing", "notification", "billing-reconciliation" }.All(service => spans.Any(s => s.Service == service && s.Kind == Consumer))
            && spans.Any(s => IsSagaStep(s, "SubmissionRouted")));
        var shape = Shape(trace);

        var server = Assert.Single(trace, s => s.Service == "intake" && s.Kind == Server && s.Attributes.GetValueOrDefault("http.route") == "/v1/submissions");
        Assert.Equal(callerSpan, server.ParentSpanId);
        Assert.Equal("POST", server.Attributes["http.request.method"]);
        Assert.Equal(requestId, server.Attributes["http.request.header.x-request-id"]);

        // The request sends the first step's command and announces the submission; validation, crypto and routing each consume
        // their command and send their answer; the saga takes each answer and moves on; notification and billing-reconciliation
        // consume what the saga sends.
        Assert.Contains(trace, s => s.Service == "intake" && s.Kind == Producer && s.ParentSpanId == server.SpanId && s.Name.Contains("validate-submission", StringComparison.Ordinal));
        Assert.Contains(trace, s => s.Service == "intake" && s.Kind == Producer && s.ParentSpanId == server.SpanId && s.Name.Contains("SubmissionReceived", StringComparison.Ordinal));
        foreach (var service in new[] { "validation", "crypto", "routing" })
        {
            Assert.True(trace.Any(s => s.Service == service && s.Kind == Consumer), $"{service} consumed nothing in the trace:\n{shape}");
            Assert.True(trace.Any(s => s.Service == service && s.Kind == Producer), $"{service} sent nothing in the trace:\n{shape}");
        }
        foreach (var service in new[] { "notification", "billing-reconciliation" })
            Assert.True(trace.Any(s => s.Service == service && s.Kind == Consumer), $"{service} consumed nothing in the trace:\n{shape}");
        foreach (var (message, from, to) in new[]
        {
            ("SubmissionValidated", "Validating", "Sealing"),
            ("SubmissionSealed", "Sealing", "Routing"), ("SubmissionRouted", "Routing", "AwaitingPickup"),
        })
        {
            var step = trace.SingleOrDefault(s => IsSagaStep(s, message));
            Assert.True(step is not null, $"The saga's step on {message} is not in the trace:\n{shape}");
            Assert.Equal((id.ToString(), from, to), (step.Attributes["messaging.masstransit.saga_id"], step.Attributes["messaging.masstransit.begin_state"], step.Attributes["messaging.masstransit.end_state"]));
        }
        // The database work of the request and of each step, under them.
        foreach (var service in new[] { "intake", "validation", "crypto", "routing", "notification", "billing-reconciliation" })
            Assert.True(trace.Any(s => s.Service == service && s.Scope == "Npgsql"), $"{service} has no Npgsql span in the trace:\n{shape}");

        AssertOneTracePerSubmission(id, traceId);
        // No span of the whole run so far carries a name, an insured number or file content of the sample files.
        NotificationPrivacy.AssertNoPersonalData(string.Join("\n", mesh.Telemetry.Spans.SelectMany(s =>
            s.Attributes.Values.Concat(s.EventTexts).Append(s.Name).Append(s.StatusMessage))), new HashSet<string> { MeshFixture.CareOffice, MeshFixture.Provider }, []);

        // The recipient's acknowledgement is its own request, so its own trace, linked to the submission's; the saga's last step runs in it.
        using var provider = mesh.ClientFor(MeshFixture.Provider);
        Assert.Equal(HttpStatusCode.Accepted, (await provider.PostAsync($"/v1/mailbox/{id}/ack", null)).StatusCode);
        await mesh.WaitForState(careOffice, id, "Acknowledged");
        OtlpReceiver.Span? acknowledgement = null;
        await mesh.Eventually(() =>
        {
            acknowledgement = mesh.Telemetry.Spans.FirstOrDefault(s => s.Service == "intake" && s.Kind == Server && s.Attributes.GetValueOrDefault("url.path") == $"/v1/mailbox/{id}/ack");
            return Task.FromResult(acknowledgement is not null && mesh.Telemetry.Spans.Any(s => s.TraceId == acknowledgement.TraceId && IsSagaStep(s, "AcknowledgeDelivery")));
        });
        Assert.NotEqual(traceId, acknowledgement!.TraceId);
        Assert.Contains(acknowledgement.Links, link => link.TraceId == traceId);
        var acknowledged = Assert.Single(mesh.Telemetry.Spans, s => IsSagaStep(s, "AcknowledgeDelivery") && s.Attributes["messaging.masstransit.saga_id"] == id.ToString());
        Assert.Equal((acknowledgement.TraceId, "Acknowledged"), (acknowledged.TraceId, acknowledged.Attributes["messaging.masstransit.end_state"]));
    }

    [Fact]
    public async Task Reminders_and_the_expiry_the_sweeper_drives_days_later_continue_the_submissions_trace()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        var (id, _) = await mesh.SubmitAndWaitFor(careOffice, SampleFiles.PlanSendUnit("20250720100000"), "AwaitingPickup");
        // No caller's trace context this time: intake's request span is the root.
        var traceId = "";
        await mesh.Eventually(() =>
        {
            traceId = mesh.Telemetry.Spans.FirstOrDefault(s => IsSagaStep(s, "SubmissionValidated") && s.Attributes["messaging.masstransit.saga_id"] == id.ToString())?.TraceId ?? "";
            return Task.FromResult(traceId != "");
        });

        // Time travel, as the notification topic tests do: the pickup deadline is 12 h away (both reminders are due), then passed.
        await mesh.MoveDeadline(id, "now() + interval '12 hours'");
        await Trace(traceId, "", spans => spans.Count(s => s.Service == "notification" && s.Name == "notify-office process"
            && Ancestors(spans, s).Any(a => a.Name == "pickup reminder")) == 2);
        await mesh.MoveDeadline(id, "now() - interval '1 second'");
        await mesh.WaitForState(careOffice, id, "Expired");
        var trace = await Trace(traceId, "", spans => spans.Any(s => IsSagaStep(s, "SubmissionStepOverdue") && s.Attributes["messaging.masstransit.end_state"] == "Expired")
            && spans.Any(s => s.Service == "notification" && s.Name == "notify-office process" && Ancestors(spans, s).Any(a => a.Name == "submission redrive")));
        var shape = Shape(trace);

        var root = Assert.Single(trace, s => s.ParentSpanId == "");
        Assert.Equal(("intake", Server, "/v1/submissions"), (root.Service, root.Kind, root.Attributes.GetValueOrDefault("http.route")));
        var redrive = trace.FirstOrDefault(s => s.Name == "submission redrive" && s.Attributes.GetValueOrDefault("careplanmesh.submission_state") == "AwaitingPickup");
        Assert.True(redrive is not null, $"The sweeper's re-drive is not in the submission's trace:\n{shape}");
        Assert.Equal(("intake", "CarePlanMesh", id.ToString()), (redrive.Service, redrive.Scope, redrive.Attributes["careplanmesh.submission_id"]));
        // The expiry: the saga ends the submission and tells the sender, in the same trace.
        var expiry = Assert.Single(trace, s => IsSagaStep(s, "SubmissionStepOverdue"));
        Assert.Contains(redrive, Ancestors(trace, expiry));
        Assert.Contains(trace, s => s.Service == "intake" && s.Kind == Producer && s.Name.Contains("SubmissionExpired", StringComparison.Ordinal));
        AssertOneTracePerSubmission(id, traceId);
    }

    [Fact]
    public async Task The_recipients_webhook_and_e_mail_are_sent_in_the_submissions_trace_and_its_download_links_to_it()
    {
        await using var receiver = await WebhookReceiver.Start();
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        using var provider = mesh.ClientFor(MeshFixture.Provider);
        var registered = await provider.PostAsJsonAsync("/v1/webhooks", new { url = receiver.Url, topics = new[] { "delivery.available" } });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var webhookId = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var (id, _) = await mesh.SubmitAndWaitFor(careOffice, SampleFiles.PlanSendUnit("20250720110000"), "AwaitingPickup");
        var traceId = "";
        await mesh.Eventually(() =>
        {
            traceId = mesh.Telemetry.Spans.FirstOrDefault(s => IsSagaStep(s, "SubmissionValidated") && s.Attributes["messaging.masstransit.saga_id"] == id.ToString())?.TraceId ?? "";
            return Task.FromResult(traceId != "");
        });
        var delivered = await WaitFor(() => receiver.Requests.FirstOrDefault(r => r.Body.Contains(id.ToString(), StringComparison.Ordinal)));
        var mail = await WaitFor(() => mesh.Smtp.ReceivedEmail.Select(m => MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(m.Data))))
            .FirstOrDefault(m => (m.TextBody ?? "").Contains(id.ToString(), StringComparison.Ordinal)));

        // Notification queued both in the submission's trace (under its notify-office span); its dispatchers send them there.
        var port = new Uri(receiver.Url).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // The message the SMTP server took has the e-mail's id as its Message-ID; its span names that id and nothing of its content.
        Assert.NotNull(mail.MessageId);
        Assert.NotNull(mail.Subject);
        var emailId = Guid.ParseExact(mail.MessageId.Split('@')[0], "N").ToString();
        var trace = await Trace(traceId, "", spans =>
            spans.Any(s => s.Name == "webhook send" && s.Attributes.GetValueOrDefault("careplanmesh.webhook_message_id") == delivered.Id)
            && spans.Any(s => s.Service == "notification" && s.Kind == Client && s.Attributes.GetValueOrDefault("server.port") == port)
            && spans.Any(s => s.Name == "email send" && s.Attributes.GetValueOrDefault("careplanmesh.email_id") == emailId));
        var shape = Shape(trace);
        var send = Assert.Single(trace, s => s.Name == "webhook send");
        Assert.Equal(("notification", "CarePlanMesh", webhookId.ToString(), "1"),
            (send.Service, send.Scope, send.Attributes["careplanmesh.webhook_id"], send.Attributes["careplanmesh.attempt"]));
        Assert.True(Ancestors(trace, send).Any(a => a.Service == "notification" && a.Name == "notify-office process"), $"The webhook send is not under notify-office:\n{shape}");
        var post = Assert.Single(trace, s => s.Service == "notification" && s.Kind == Client && s.Attributes.GetValueOrDefault("server.port") == port);
        Assert.Equal((send.SpanId, "POST", "204"), (post.ParentSpanId, post.Attributes["http.request.method"], post.Attributes["http.response.status_code"]));
        var email = Assert.Single(trace, s => s.Name == "email send" && s.Attributes.GetValueOrDefault("careplanmesh.email_id") == emailId);
        Assert.Equal(("notification", Client), (email.Service, email.Kind));
        Assert.True(Ancestors(trace, email).Any(a => a.Service == "notification" && a.Name == "notify-office process"), $"The e-mail send is not under notify-office:\n{shape}");
        // The receiver is handed the POST's W3C trace context (ids only), as every HTTP call of the relay does.
        Assert.Equal($"00-{traceId}-{post.SpanId}-01", delivered.Headers["traceparent"].ToString());

        // The recipient's download is its own request, so its own trace, linked to the submission's.
        using var download = await provider.GetAsync($"/v1/mailbox/{id}");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        var served = await WaitFor(() => mesh.Telemetry.Spans.FirstOrDefault(s => s.Service == "intake" && s.Kind == Server && s.Attributes.GetValueOrDefault("url.path") == $"/v1/mailbox/{id}"));
        Assert.NotEqual(traceId, served.TraceId);
        Assert.Contains(served.Links, link => link.TraceId == traceId);

        // No span of the whole run carries a care recipient's data, an office's e-mail address or the messages' text.
        var texts = string.Join("\n", mesh.Telemetry.Spans.SelectMany(s => s.Attributes.Values.Concat(s.EventTexts).Append(s.Name).Append(s.StatusMessage)));
        NotificationPrivacy.AssertNoPersonalData(texts, new HashSet<string> { MeshFixture.CareOffice, MeshFixture.Provider }, []);
        Assert.DoesNotContain("@demo.careplanmesh.example", texts, StringComparison.Ordinal);
        Assert.DoesNotContain(mail.Subject, texts, StringComparison.Ordinal);
        Assert.DoesNotContain(delivered.Signature, texts, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, (await provider.DeleteAsync($"/v1/webhooks/{webhookId}")).StatusCode);
    }

    async Task<T> WaitFor<T>(Func<T?> find) where T : class
    {
        T? found = null;
        await mesh.Eventually(() => Task.FromResult((found = find()) is not null));
        return found!;
    }

    /// <summary>The spans of the trace once <paramref name="complete"/> holds and every span's parent is in it (or is <paramref name="rootParent"/>).</summary>
    async Task<List<OtlpReceiver.Span>> Trace(string traceId, string rootParent, Func<List<OtlpReceiver.Span>, bool> complete)
    {
        List<OtlpReceiver.Span> trace = [];
        await Poll.Until(() =>
        {
            trace = [.. mesh.Telemetry.Spans.Where(s => s.TraceId == traceId)];
            var spanIds = trace.Select(s => s.SpanId).Append(rootParent).ToHashSet();
            return Task.FromResult(complete(trace) && trace.All(s => spanIds.Contains(s.ParentSpanId)));
        }, TimeSpan.FromSeconds(30), () => $"Trace {traceId} is not complete:\n{Shape(trace)}\n{mesh.Logs()}");
        return trace;
    }

    /// <summary>One trace per submission: no message about this submission went out in another trace (status polls are requests of their own).</summary>
    void AssertOneTracePerSubmission(Guid id, string traceId) =>
        Assert.DoesNotContain(mesh.Telemetry.Spans, s => s.TraceId != traceId && s.Scope == "MassTransit" && s.Attributes.Values.Any(v => v.Contains(id.ToString(), StringComparison.Ordinal)));

    /// <summary>Intake's span of the saga consuming the message (urn:message:CarePlanMesh.Contracts:Message).</summary>
    static bool IsSagaStep(OtlpReceiver.Span span, string message) =>
        span.Service == "intake" && span.Kind == Consumer
        && span.Attributes.GetValueOrDefault("messaging.masstransit.consumer_type") == "SubmissionStateMachine"
        && span.Attributes.GetValueOrDefault("messaging.masstransit.message_types", "").Split(',').Contains($"urn:message:CarePlanMesh.Contracts:{message}");

    static IEnumerable<OtlpReceiver.Span> Ancestors(List<OtlpReceiver.Span> trace, OtlpReceiver.Span span)
    {
        for (var parent = trace.FirstOrDefault(s => s.SpanId == span.ParentSpanId); parent is not null; parent = trace.FirstOrDefault(s => s.SpanId == parent.ParentSpanId))
            yield return parent;
    }

    static string Shape(List<OtlpReceiver.Span> trace) =>
        string.Join("\n", trace.Select(s => $"{s.SpanId} <- {(s.ParentSpanId == "" ? "root" : s.ParentSpanId)} {s.Service} {s.Scope} {s.Name} kind={s.Kind}"));
}
