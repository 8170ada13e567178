using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace CarePlanMesh.ServiceDefaults.Tests;

/// <summary>A logger provider that keeps the formatted lines at or above <paramref name="minimum"/>, for tests that read what a service logged.</summary>
sealed class LogRecorder(ConcurrentQueue<string> lines, LogLevel minimum) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Lines(lines, minimum);
    public void Dispose() { }

    sealed class Lines(ConcurrentQueue<string> lines, LogLevel minimum) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
                lines.Enqueue(formatter(state, exception));
        }
    }
}
