namespace TorchLossesTests.Support;

/// <summary>Running a test body on several threads at once.</summary>
internal static class Threads
{
    /// <summary>
    /// Runs body(threadIndex) on <paramref name="count"/> dedicated threads that start together, and
    /// rethrows whatever any of them threw.
    /// </summary>
    internal static void OnThreads(int count, Action<int> body)
    {
        using var start = new Barrier(count);
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var threads = Enumerable.Range(0, count).Select(index => new Thread(() =>
        {
            try
            {
                start.SignalAndWait();
                body(index);
            }
            catch (Exception e)
            {
                failures.Enqueue(e);
            }
        })).ToArray();
        foreach (var thread in threads) thread.Start();
        foreach (var thread in threads) thread.Join();
        if (!failures.IsEmpty) throw new AggregateException(failures);
    }
}
