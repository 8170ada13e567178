using Microsoft.Extensions.Options;

namespace CarePlanMesh.Intake.Edge;

/// <summary>One uploaded file: its name as sent (without any path) and its bytes.</summary>
public sealed record Upload(string FileName, byte[] Content);

/// <summary>
/// Reads the multipart form shared by POST /v1/submissions and POST /v1/validate: parts named "files", within the
/// configured count and size limits (413 naming the limits), so nothing larger than the limits is ever buffered.
/// </summary>
public sealed class UploadForm(IOptions<IntakeOptions> options)
{
    public async Task<(IReadOnlyList<Upload> Uploads, IResult? Problem)> Read(HttpRequest request, CancellationToken cancellationToken)
    {
        var limits = options.Value;
        if (!request.HasFormContentType)
            return ([], Problems.Of(400, "not-multipart", "Expected multipart/form-data", "multipart/form-data で送信してください",
                "Send the files as multipart/form-data parts named 'files'.", "ファイルを multipart/form-data の 'files' パートとして送信してください。"));
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(cancellationToken);
        }
        // Over a limit: 413 naming the limits. Any other unreadable body (a truncated multipart) goes to the error policy: 400.
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return ([], TooLarge(limits, "The request is over the size limit."));
        }
        catch (InvalidDataException) when (request.ContentLength is not { } length || length > limits.MaxFiles * limits.MaxFileBytes)
        {
            return ([], TooLarge(limits, "The multipart body is over the size limit."));
        }
        var strangers = form.Files.Where(f => f.Name != "files").Select(f => f.Name).Distinct().ToList();
        if (strangers.Count > 0)
            return ([], Problems.Of(400, "unknown-part", "Unknown form parts", "不明なパートがあります",
                $"Only parts named 'files' are accepted; got: {string.Join(", ", strangers)}.",
                $"'files' 以外のパートは受け付けません（{string.Join(", ", strangers)}）。"));
        if (form.Files.Count == 0)
            return ([], Problems.Of(400, "no-files", "No files", "ファイルがありません",
                "Send the files of one send unit as multipart/form-data parts named 'files'.",
                "送信単位のファイルを multipart/form-data の 'files' パートとして送信してください。"));
        var tooLarge = form.Files.Count(f => f.Length > limits.MaxFileBytes);
        if (form.Files.Count > limits.MaxFiles || tooLarge > 0)
            return ([], TooLarge(limits, $"Got {form.Files.Count} files, {tooLarge} over the size limit."));

        var uploads = new List<Upload>();
        foreach (var file in form.Files)
        {
            using var content = new MemoryStream((int)file.Length);
            await file.CopyToAsync(content, cancellationToken);
            uploads.Add(new Upload(Path.GetFileName(file.FileName), content.ToArray()));
        }
        return (uploads, null);
    }

    static IResult TooLarge(IntakeOptions limits, string detail)
    {
        var problem = Problems.Of(413, "too-large", "Upload too large", "アップロードが大きすぎます",
            $"At most {limits.MaxFiles} files of at most {limits.MaxFileBytes} bytes each. {detail}",
            $"ファイルは{limits.MaxFiles}個まで、1ファイル{limits.MaxFileBytes}バイトまでです。",
            extensions: new Dictionary<string, object?> { ["maxFiles"] = limits.MaxFiles, ["maxFileBytes"] = limits.MaxFileBytes });
        return problem;
    }
}
