using System.Threading.Channels;

namespace CarePlanMesh.Cli.Agent;

/// <summary>A signal that wakes a loop before its next scheduled run; signals given while it runs collapse into one.</summary>
public sealed class Wakeup
{
    readonly Channel<bool> _channel = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Signal() => _channel.Writer.TryWrite(true);

    /// <summary>Waits for a signal or until the interval has passed.</summary>
    public async Task Wait(TimeSpan interval, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(interval);
        try
        {
            await _channel.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }
    }
}
