using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace CarePlanMesh.Intake.Edge;

/// <summary>One page of a list: the items and, when more exist, the path of the next page.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? Next);

/// <summary>
/// Keyset paging for the list endpoints: <c>limit</c> (default 50, at most 200) and an opaque <c>cursor</c> holding the
/// sort key of the last item shown, so a page never shifts when newer items arrive.
/// </summary>
public static class Paging
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    /// <summary>The page size asked for, or a problem naming the allowed range.</summary>
    public static (int Limit, IResult? Problem) Limit(string? limit)
    {
        if (limit is null)
            return (DefaultLimit, null);
        if (int.TryParse(limit, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value is >= 1 and <= MaxLimit)
            return (value, null);
        return (0, InvalidQuery("limit", $"limit is a whole number from 1 to {MaxLimit}.", $"limit は1から{MaxLimit}までの整数です。"));
    }

    public static string Encode(params string[] key) =>
        WebEncoders.Base64UrlEncode(JsonSerializer.SerializeToUtf8Bytes(key));

    /// <summary>The sort key in a cursor, or null when it is not one of ours with <paramref name="parts"/> parts.</summary>
    public static string[]? Decode(string cursor, int parts)
    {
        try
        {
            var key = JsonSerializer.Deserialize<string[]>(WebEncoders.Base64UrlDecode(cursor));
            return key is { Length: var length } && length == parts && key.All(k => k is not null) ? key : null;
        }
        catch (Exception exception) when (exception is FormatException or JsonException)
        {
            return null;
        }
    }

    public static IResult InvalidCursor() =>
        InvalidQuery("cursor", "The cursor is not one this list handed out; start again without it.", "cursor が正しくありません。cursor なしで最初から取得し直してください。");

    public static IResult InvalidQuery(string parameter, string detail, string detailJa) =>
        Problems.Of(400, "invalid-query", "Invalid query parameter", "問い合わせパラメータが正しくありません", detail, detailJa,
            extensions: new Dictionary<string, object?> { ["parameter"] = parameter });

    /// <summary>The path of the next page: this request's path and query with the cursor replaced.</summary>
    public static string NextPage(HttpRequest request, string cursor)
    {
        var query = request.Query.Where(q => q.Key != "cursor").SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string?>(q.Key, v)))
            .Append(new KeyValuePair<string, string?>("cursor", cursor));
        return request.PathBase + request.Path + QueryString.Create(query);
    }

    /// <summary>A month in the standard's yyyyMM form, or a problem.</summary>
    public static IResult? ServiceMonth(string? month) =>
        month is null || (month.Length == 6 && month.All(char.IsAsciiDigit)) ? null
            : InvalidQuery("serviceMonth", "serviceMonth is yyyyMM, e.g. 202506.", "serviceMonth は yyyyMM 形式です（例 202506）。");

    /// <summary>A point in time (ISO 8601 with offset), or a problem.</summary>
    public static (DateTimeOffset? At, IResult? Problem) Time(string name, string? value)
    {
        if (value is null)
            return (null, null);
        if (DateTimeOffset.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at))
            return (at, null);
        return (null, InvalidQuery(name, $"{name} is a time in ISO 8601, e.g. 2025-06-01T00:00:00Z.", $"{name} はISO 8601形式の日時です（例 2025-06-01T00:00:00Z）。"));
    }

    /// <summary>Microseconds since the Unix epoch: PostgreSQL's precision, so a cursor compares exactly with the column.</summary>
    public static string Microseconds(DateTimeOffset at) =>
        ((at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static DateTimeOffset? FromMicroseconds(string value) =>
        long.TryParse(value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var micros)
            ? DateTimeOffset.UnixEpoch.AddTicks(micros * 10) : null;
}
