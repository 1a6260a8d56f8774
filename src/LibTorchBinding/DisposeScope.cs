namespace TorchSharp;

/// <summary>
/// Collects the tensors created on this thread while it is the innermost scope and disposes them
/// when the scope is disposed (TorchSharp's <c>DisposeScope</c>). Create one with
/// <see cref="torch.NewDisposeScope"/>; keep a result alive past the scope with
/// <see cref="MoveToOuter{T}(T)"/> or <see cref="torch.Tensor.MoveToOuterDisposeScope"/>.
/// </summary>
public sealed class DisposeScope : IDisposable
{
    private readonly HashSet<IDisposable> disposables = new(ReferenceEqualityComparer.Instance);
    private bool disposed;

    internal DisposeScope(DisposeScope? outer) => OuterScope = outer;

    /// <summary>The scope that was current when this one was created.</summary>
    public DisposeScope? OuterScope { get; }

    /// <summary>How many disposables the scope holds now.</summary>
    public long DisposablesCount => disposables.Count;

    /// <summary>Moves <paramref name="disposable"/> to the enclosing scope (or to none) and returns it.</summary>
    public T MoveToOuter<T>(T disposable) where T : IDisposable
    {
        MoveOne(disposable);
        return disposable;
    }

    // The one place that moves. An argument typed IDisposable binds to the params overload below
    // rather than to the generic one (C# prefers the non-generic candidate), so every overload and
    // the manager call this method instead of each other, which would recurse forever.
    internal void MoveOne(IDisposable disposable)
    {
        if (disposables.Remove(disposable)) OuterScope?.Attach(disposable);
    }

    /// <summary>Moves both disposables to the enclosing scope.</summary>
    public (T1, T2) MoveToOuter<T1, T2>(T1 first, T2 second) where T1 : IDisposable where T2 : IDisposable =>
        (MoveToOuter(first), MoveToOuter(second));

    /// <summary>Moves all three disposables to the enclosing scope.</summary>
    public (T1, T2, T3) MoveToOuter<T1, T2, T3>(T1 first, T2 second, T3 third)
        where T1 : IDisposable where T2 : IDisposable where T3 : IDisposable =>
        (MoveToOuter(first), MoveToOuter(second), MoveToOuter(third));

    /// <summary>Moves every given disposable to the enclosing scope.</summary>
    public void MoveToOuter(params IDisposable[] items)
    {
        foreach (var item in items) MoveOne(item);
    }

    /// <summary>Moves every given disposable to the enclosing scope.</summary>
    public void MoveToOuter(IEnumerable<IDisposable> items)
    {
        foreach (var item in items) MoveOne(item);
    }

    /// <summary>Removes the disposable from this scope without disposing it and returns it.</summary>
    public T Detach<T>(T disposable) where T : IDisposable
    {
        disposables.Remove(disposable);
        return disposable;
    }

    /// <summary>Adds a disposable to this scope and returns it.</summary>
    public T Attach<T>(T disposable) where T : IDisposable
    {
        if (disposed) throw new ObjectDisposedException(nameof(DisposeScope), "This dispose scope has already been disposed.");
        DisposeScopeManager.Detach(disposable);
        disposables.Add(disposable);
        return disposable;
    }

    /// <summary>Adds a freshly created disposable (it cannot belong to another scope yet).</summary>
    internal void AddNew(IDisposable disposable)
    {
        if (!disposed) disposables.Add(disposable);
    }

    internal bool Contains(IDisposable disposable) => disposables.Contains(disposable);

    internal void Forget(IDisposable disposable) => disposables.Remove(disposable);

    /// <summary>Disposes everything the scope holds, but keeps the scope open.</summary>
    public void DisposeEverything() => DisposeEverythingBut(Array.Empty<IDisposable>());

    /// <summary>Disposes everything the scope holds except the given disposables.</summary>
    /// <remarks>Every item is disposed even when one throws; the first exception is rethrown afterwards.</remarks>
    public void DisposeEverythingBut(params IDisposable[] keep)
    {
        var kept = keep.Length == 0 ? null : new HashSet<IDisposable>(keep, ReferenceEqualityComparer.Instance);
        Exception? first = null;
        foreach (var item in disposables.ToArray())
        {
            if (kept is not null && kept.Contains(item)) continue;
            disposables.Remove(item);
            try
            {
                item.Dispose();
            }
            catch (Exception e)
            {
                first ??= e;
            }
        }
        if (first is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
    }

    /// <summary>Disposes everything the scope holds and makes the enclosing scope current again (also when an item's Dispose throws).</summary>
    public void Dispose()
    {
        if (disposed) return;
        try
        {
            DisposeEverything();
        }
        finally
        {
            disposed = true;
            DisposeScopeManager.Pop(this);
        }
    }
}

/// <summary>The per-thread stack of dispose scopes.</summary>
internal static class DisposeScopeManager
{
    [ThreadStatic] private static DisposeScope? current;

    internal static DisposeScope? Current => current;

    internal static DisposeScope Push() => current = new DisposeScope(current);

    internal static void Pop(DisposeScope scope)
    {
        // Scopes are disposed innermost first; if an outer scope is disposed before an inner one,
        // the stack falls back to the outer scope's parent.
        if (ReferenceEquals(current, scope)) current = scope.OuterScope;
        else
        {
            for (var s = current; s is not null; s = s.OuterScope)
                if (ReferenceEquals(s, scope)) { current = scope.OuterScope; break; }
        }
    }

    /// <summary>Finds the scope on this thread's stack that holds the disposable, if any.</summary>
    private static DisposeScope? Owner(IDisposable disposable)
    {
        for (var s = current; s is not null; s = s.OuterScope)
            if (s.Contains(disposable)) return s;
        return null;
    }

    internal static void MoveToOuter(IDisposable disposable) => Owner(disposable)?.MoveOne(disposable);

    internal static void Detach(IDisposable disposable) => Owner(disposable)?.Forget(disposable);
}

public static partial class torch
{
    /// <summary>Opens a dispose scope on this thread; tensors created until it is disposed belong to it.</summary>
    public static DisposeScope NewDisposeScope() => DisposeScopeManager.Push();

    /// <summary>The innermost dispose scope of this thread, or null.</summary>
    public static DisposeScope? CurrentDisposeScope => DisposeScopeManager.Current;
}
