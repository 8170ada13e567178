using System.Security.Claims;
using CarePlanMesh.Intake.Edge;
using CarePlanMesh.Intake.Receipts;
using CarePlanMesh.Intake.Submissions.StateMachines;

namespace CarePlanMesh.Intake.Submissions;

/// <summary>GET /v1/submissions: what the office has sent, newest first, in pages (issue #11 §1).</summary>
public static class SubmissionListEndpoints
{
    /// <param name="State">One of the saga's states (Received … Withdrawn).</param>
    /// <param name="RecipientOffice">10-digit office number of the recipient.</param>
    /// <param name="ServiceMonth">yyyyMM.</param>
    /// <param name="Since">Received at or after this time (ISO 8601).</param>
    /// <param name="Until">Received before this time (ISO 8601).</param>
    /// <param name="Limit">Items per page, 1–200 (default 50).</param>
    /// <param name="Cursor">From the previous page's <c>next</c>; opaque.</param>
    public sealed record Query(string? State, string? RecipientOffice, string? ServiceMonth, string? Since, string? Until, string? Limit, string? Cursor);

    public sealed record ReceiptLink(string Kind, string Href);

    public sealed record SentSubmission(Guid Id, string State, string RecipientOffice, string SendUnit, string? ServiceMonth, IReadOnlyList<string> FileKinds,
        DateTimeOffset ReceivedAt, DateTimeOffset LastTransitionAt, string Href, IReadOnlyList<ReceiptLink> Receipts);

    public static RouteGroupBuilder MapSubmissionList(this RouteGroupBuilder api)
    {
        api.MapGet("/submissions", List).Produces<Page<SentSubmission>>();
        return api;
    }

    static async Task<IResult> List([AsParameters] Query query, HttpRequest request, ClaimsPrincipal user, SubmissionStore store, CancellationToken cancellationToken)
    {
        if (query.State is { } state && !SubmissionStates.All.Contains(state))
            return Paging.InvalidQuery("state", $"state is one of {string.Join(", ", SubmissionStates.All)}.", $"state は {string.Join("、", SubmissionStates.All)} のいずれかです。");
        if (Paging.ServiceMonth(query.ServiceMonth) is { } badMonth)
            return badMonth;
        var (since, badSince) = Paging.Time("since", query.Since);
        var (until, badUntil) = Paging.Time("until", query.Until);
        var (limit, badLimit) = Paging.Limit(query.Limit);
        if ((badSince ?? badUntil ?? badLimit) is { } bad)
            return bad;
        (DateTimeOffset, Guid)? after = null;
        if (query.Cursor is { } cursor)
        {
            if (Paging.Decode(cursor, 2) is not [var micros, var id] || Paging.FromMicroseconds(micros) is not { } at || !Guid.TryParse(id, out var lastId))
                return Paging.InvalidCursor();
            after = (at, lastId);
        }

        var (items, more) = await store.ListSent(user.Office(),
            new SentFilter(query.State, query.RecipientOffice, query.ServiceMonth, since, until), after, limit, cancellationToken);
        var next = more ? Paging.NextPage(request, Paging.Encode(Paging.Microseconds(items[^1].StoredReceivedAt), items[^1].Item.CorrelationId.ToString())) : null;
        return TypedResults.Ok(new Page<SentSubmission>(items.Select(l => View(l.Item)).ToList(), next));
    }

    static SentSubmission View(SubmissionState s) => new(
        s.CorrelationId, s.CurrentState, s.RecipientOffice, s.SendUnit, s.ServiceMonth, s.Files.Select(f => f.Kind).ToList(), s.ReceivedAt,
        s.Timeline.Count > 0 ? s.Timeline[^1].At : s.ReceivedAt, $"/v1/submissions/{s.CorrelationId}",
        ReceiptEndpoints.Issuable(s).Select(kind => new ReceiptLink(kind, $"/v1/submissions/{s.CorrelationId}/receipts/{kind}")).ToList());
}
