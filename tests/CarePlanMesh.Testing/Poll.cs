namespace CarePlanMesh.Testing;

/// <summary>The one way tests wait for what happens asynchronously: ask, and ask again every 200 ms, until the answer will do.</summary>
public static class Poll
{
    /// <summary>Returns the first answer that <paramref name="done"/> accepts.</summary>
    /// <param name="failure">The message when time runs out, from the last answer (default when none came).</param>
    /// <exception cref="TimeoutException">No answer would do within <paramref name="timeout"/>.</exception>
    public static async Task<T> Until<T>(Func<Task<T>> ask, Func<T, bool> done, TimeSpan timeout, Func<T?, string> failure)
    {
        var deadline = DateTime.UtcNow + timeout;
        T? last = default;
        while (DateTime.UtcNow < deadline)
        {
            last = await ask();
            if (done(last))
                return last;
            await Task.Delay(200);
        }
        throw new TimeoutException(failure(last));
    }

    /// <summary>Waits until the condition holds.</summary>
    public static Task Until(Func<Task<bool>> condition, TimeSpan timeout, Func<string> failure) =>
        Until(condition, holds => holds, timeout, _ => failure());
}
