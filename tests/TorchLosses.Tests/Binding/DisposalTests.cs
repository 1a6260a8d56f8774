namespace TorchLossesTests.Binding;

/// <summary>
/// Lifetimes: explicit disposal, dispose scopes (nesting, moving to the outer scope, detaching),
/// the handles returned by <c>grad</c>, and the thread's grad mode under <c>no_grad</c>.
/// </summary>
[TestClass]
public sealed class BindingDisposalTests
{
    [TestMethod]
    public void DisposingTwiceIsSafe()
    {
        var x = ones(3);
        Assert.IsFalse(x.IsInvalid);
        x.Dispose();
        Assert.IsTrue(x.IsInvalid);
        x.Dispose();
        Assert.IsTrue(x.IsInvalid);
        Assert.AreEqual("[disposed tensor]", x.ToString());
    }

    [TestMethod]
    public void AScopeDisposesWhatWasCreatedInsideItAndNothingElse()
    {
        var outside = ones(3);
        try
        {
            Tensor input, result, loss;
            using (var scope = NewDisposeScope())
            {
                Assert.AreSame(scope, CurrentDisposeScope);
                input = ones(3);
                result = input + outside; // an op result belongs to the scope too
                loss = nn.functional.mse_loss(result, outside);
                Assert.AreEqual(3L, scope.DisposablesCount);
            }
            Assert.IsNull(CurrentDisposeScope);
            Assert.IsTrue(input.IsInvalid);
            Assert.IsTrue(result.IsInvalid);
            Assert.IsTrue(loss.IsInvalid);
            Assert.IsFalse(outside.IsInvalid);
            CollectionAssert.AreEqual(new[] { 1f, 1f, 1f }, outside.data<float>().ToArray());
        }
        finally
        {
            outside.Dispose();
        }
    }

    [TestMethod]
    public void ATensorDisposedByHandInsideAScopeIsSafeWhenTheScopeEnds()
    {
        Tensor x;
        using (NewDisposeScope())
        {
            x = ones(3);
            x.Dispose();
        }
        Assert.IsTrue(x.IsInvalid);
    }

    [TestMethod]
    public void MoveToOuterHandsTheTensorToTheOuterScope()
    {
        Tensor kept, dropped;
        using (var outer = NewDisposeScope())
        {
            using (var inner = NewDisposeScope())
            {
                dropped = ones(3);
                kept = inner.MoveToOuter(dropped * 2);
                Assert.AreEqual(1L, inner.DisposablesCount);
                Assert.AreEqual(1L, outer.DisposablesCount);
            }
            Assert.IsTrue(dropped.IsInvalid);
            Assert.IsFalse(kept.IsInvalid);
            CollectionAssert.AreEqual(new[] { 2f, 2f, 2f }, kept.data<float>().ToArray());
            Assert.AreSame(outer, CurrentDisposeScope);
        }
        Assert.IsTrue(kept.IsInvalid);
    }

    [TestMethod]
    public void MoveToOuterDisposeScopeHandsTheTensorToTheOuterScope()
    {
        Tensor kept;
        using (var outer = NewDisposeScope())
        {
            using (NewDisposeScope())
            {
                kept = (ones(3) + 1).MoveToOuterDisposeScope();
            }
            Assert.IsFalse(kept.IsInvalid);
            Assert.AreEqual(6f, kept.sum().item<float>());
            Assert.AreEqual(2L, outer.DisposablesCount); // kept and its sum
        }
        Assert.IsTrue(kept.IsInvalid);
    }

    [TestMethod]
    public void EveryMoveToOuterOverloadMovesEachTensorOnce()
    {
        Tensor[] moved;
        using (var outer = NewDisposeScope())
        {
            using (var inner = NewDisposeScope())
            {
                moved = new Tensor[8];
                for (int k = 0; k < moved.Length; k++) moved[k] = full(1, (float)k);
                var (a, b) = inner.MoveToOuter(moved[0], moved[1]);
                var (c, d, e) = inner.MoveToOuter(moved[2], moved[3], moved[4]);
                Assert.AreSame(moved[0], a);
                Assert.AreSame(moved[4], e);
                inner.MoveToOuter((IDisposable)moved[5], moved[6]);              // params IDisposable[]
                inner.MoveToOuter(new List<IDisposable> { moved[7] });            // IEnumerable<IDisposable>
                IDisposable asInterface = moved[7];
                inner.MoveToOuter(asInterface); // binds to the params overload; already moved: a no-op
                Assert.AreEqual(0L, inner.DisposablesCount);
                Assert.AreEqual(8L, outer.DisposablesCount);
            }
            for (int k = 0; k < moved.Length; k++)
                Assert.AreEqual((float)k, moved[k].item<float>());
        }
        foreach (var t in moved) Assert.IsTrue(t.IsInvalid);
    }

    [TestMethod]
    public void MovingOutOfTheOutermostScopeLeavesTheTensorToTheCaller()
    {
        Tensor kept;
        using (NewDisposeScope())
        {
            kept = ones(2).MoveToOuterDisposeScope();
        }
        try
        {
            Assert.IsFalse(kept.IsInvalid);
            Assert.AreEqual(2f, kept.sum().item<float>());
        }
        finally
        {
            kept.Dispose();
        }
    }

    [TestMethod]
    public void NestedScopesDisposeInnermostFirstAndRestoreTheCurrentScope()
    {
        Tensor a, b, c;
        using (var first = NewDisposeScope())
        {
            a = ones(1);
            using (var second = NewDisposeScope())
            {
                Assert.AreSame(first, second.OuterScope);
                b = ones(1);
                using (var third = NewDisposeScope())
                {
                    Assert.AreSame(second, third.OuterScope);
                    c = ones(1);
                }
                Assert.IsTrue(c.IsInvalid);
                Assert.IsFalse(b.IsInvalid);
                Assert.AreSame(second, CurrentDisposeScope);
            }
            Assert.IsTrue(b.IsInvalid);
            Assert.IsFalse(a.IsInvalid);
            Assert.AreSame(first, CurrentDisposeScope);
        }
        Assert.IsTrue(a.IsInvalid);
        Assert.IsNull(CurrentDisposeScope);
    }

    [TestMethod]
    public void DetachFromDisposeScopeLeavesTheTensorToTheCaller()
    {
        Tensor detached;
        using (var scope = NewDisposeScope())
        {
            detached = ones(3).DetachFromDisposeScope();
            Assert.AreEqual(0L, scope.DisposablesCount);
        }
        Assert.IsFalse(detached.IsInvalid);
        Assert.AreEqual(3f, detached.sum().item<float>());
        detached.Dispose();
        Assert.IsTrue(detached.IsInvalid);
    }

    [TestMethod]
    public void DisposeEverythingButKeepsTheGivenTensorsAndTheScopeOpen()
    {
        using var scope = NewDisposeScope();
        var a = ones(1);
        var b = ones(1);
        scope.DisposeEverythingBut(b);
        Assert.IsTrue(a.IsInvalid);
        Assert.IsFalse(b.IsInvalid);
        var c = ones(1);
        Assert.AreEqual(2L, scope.DisposablesCount); // b and c
        Assert.AreSame(scope, CurrentDisposeScope);
        Assert.IsFalse(c.IsInvalid);
    }

    [TestMethod]
    public void AnExceptionInsideAScopeStillDisposesIt()
    {
        Tensor? created = null;
        Assert.ThrowsExactly<System.Runtime.InteropServices.ExternalException>(() =>
        {
            using var scope = NewDisposeScope();
            created = ones(3);
            _ = created + ones(4); // libtorch rejects the shapes
        });
        Assert.IsNotNull(created);
        Assert.IsTrue(created.IsInvalid);
        Assert.IsNull(CurrentDisposeScope);
    }

    [TestMethod]
    public void EachGradGetReturnsANewHandleAndDisposingItKeepsTheGradient()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1f, 2f, 3f }, requires_grad: true);
        (x * x).sum().backward();

        var first = x.grad!;
        var second = x.grad!;
        Assert.AreNotSame(first, second);
        Assert.IsTrue(first.IsSameAs(second)); // two handles, one libtorch tensor
        first.Dispose();
        Assert.IsTrue(first.IsInvalid);
        Assert.IsFalse(second.IsInvalid);

        // d/dx Σx² = 2x
        CollectionAssert.AreEqual(new[] { 2f, 4f, 6f }, x.grad!.data<float>().ToArray());
        CollectionAssert.AreEqual(new[] { 2f, 4f, 6f }, second.data<float>().ToArray());
    }

    [TestMethod]
    public void ATensorWithoutGradientHasANullGrad()
    {
        using var scope = NewDisposeScope();
        var x = ones(2, requires_grad: true);
        Assert.IsNull(x.grad);
        (x * 3).sum().backward();
        Assert.IsNotNull(x.grad);
        x.grad = null;
        Assert.IsNull(x.grad);
    }

    [TestMethod]
    public void TensorsCreatedUnderNoGradDoNotRequireGrad()
    {
        using var scope = NewDisposeScope();
        var x = ones(3, requires_grad: true);
        Assert.IsTrue(is_grad_enabled());
        using (no_grad())
        {
            Assert.IsFalse(is_grad_enabled());
            var y = x * 2;
            Assert.IsFalse(y.requires_grad);
            Assert.IsFalse(nn.functional.mse_loss(x, zeros(3)).requires_grad);
        }
        Assert.IsTrue(is_grad_enabled());
        Assert.IsTrue((x * 2).requires_grad);
    }

    [TestMethod]
    public void NestedGradModesRestoreThePreviousModeEachTime()
    {
        Assert.IsTrue(is_grad_enabled());
        using (no_grad())
        {
            Assert.IsFalse(is_grad_enabled());
            using (no_grad())
                Assert.IsFalse(is_grad_enabled());
            Assert.IsFalse(is_grad_enabled()); // the inner guard restores "off", not "on"
            using (enable_grad())
            {
                Assert.IsTrue(is_grad_enabled());
                using (set_grad_enabled(false))
                    Assert.IsFalse(is_grad_enabled());
                Assert.IsTrue(is_grad_enabled());
            }
            Assert.IsFalse(is_grad_enabled());
        }
        Assert.IsTrue(is_grad_enabled());
    }

    [TestMethod]
    public void NoGradIsRestoredWhenAnExceptionLeavesIt()
    {
        Assert.ThrowsExactly<InvalidOperationException>(() =>
        {
            using var guard = no_grad();
            throw new InvalidOperationException("leaving the block");
        });
        Assert.IsTrue(is_grad_enabled());
    }

    [TestMethod]
    public void DisposingAGradModeGuardTwiceRestoresOnlyOnce()
    {
        var outer = no_grad();
        var inner = enable_grad();
        inner.Dispose();
        Assert.IsFalse(is_grad_enabled());
        inner.Dispose(); // must not restore again
        Assert.IsFalse(is_grad_enabled());
        outer.Dispose();
        Assert.IsTrue(is_grad_enabled());
    }

    [TestMethod]
    public void ConvertingWithDisposeAfterDisposesTheSource()
    {
        using var scope = NewDisposeScope();
        var x = ones(2);
        var y = x.to(ScalarType.Float64, disposeAfter: true);
        Assert.IsTrue(x.IsInvalid);
        Assert.AreEqual(ScalarType.Float64, y.dtype);
        CollectionAssert.AreEqual(new[] { 1.0, 1.0 }, y.data<double>().ToArray());
    }

    [TestMethod]
    public void ADisposedScopeRefusesNewAttachments()
    {
        var scope = NewDisposeScope();
        scope.Dispose();
        scope.Dispose(); // twice is safe
        var x = ones(1);
        try
        {
            var error = Assert.ThrowsExactly<ObjectDisposedException>(() => scope.Attach(x));
            StringAssert.Contains(error.Message, "This dispose scope has already been disposed.");
            Assert.IsFalse(x.IsInvalid);
        }
        finally
        {
            x.Dispose();
        }
    }
}
