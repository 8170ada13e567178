using System.Net;
using Spectre.Console;

namespace CarePlanMesh.Cli;

/// <summary>What a long step reports: bytes moved, or a new description (a wait's current state).</summary>
public interface IProgressReport
{
    void Advance(long amount);
    void Describe(string text);
}

/// <summary>Spectre.Console progress bars for uploads, downloads and waits, shown only when <see cref="Output.Interactive"/>.</summary>
public static class ProgressDisplay
{
    public static async Task<T> Run<T>(Output output, string description, long? total, Func<IProgressReport, Task<T>> work)
    {
        if (!output.Interactive)
            return await work(Silent.Instance);
        var columns = total is null
            ? new ProgressColumn[] { new SpinnerColumn(), new TaskDescriptionColumn(), new ElapsedTimeColumn() }
            : [new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn()];
        return await AnsiConsole.Progress().AutoClear(false).HideCompleted(false).Columns(columns).StartAsync(async context =>
        {
            var task = context.AddTask(Markup.Escape(description), maxValue: Math.Max(total ?? 1, 1));
            task.IsIndeterminate = total is null;
            var result = await work(new Bar(task));
            task.IsIndeterminate = false;
            task.Value = task.MaxValue;
            return result;
        });
    }

    sealed class Bar(ProgressTask task) : IProgressReport
    {
        public void Advance(long amount) => task.Increment(amount);
        public void Describe(string text) => task.Description = Markup.Escape(text);
    }

    sealed class Silent : IProgressReport
    {
        public static readonly Silent Instance = new();
        public void Advance(long amount) { }
        public void Describe(string text) { }
    }
}

/// <summary>A request body sent in chunks, each one reported (the upload's progress bar).</summary>
public sealed class ReportingContent(byte[] body, IProgressReport progress) : HttpContent
{
    const int Chunk = 64 * 1024;

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        for (var offset = 0; offset < body.Length; offset += Chunk)
        {
            var length = Math.Min(Chunk, body.Length - offset);
            await stream.WriteAsync(body.AsMemory(offset, length));
            progress.Advance(length);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = body.Length;
        return true;
    }
}
