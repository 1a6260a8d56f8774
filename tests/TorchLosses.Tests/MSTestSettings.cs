// Tests run in parallel by class; each test owns its tensors, and libtorch is thread-safe for
// independent tensors (BindingThreadTests checks that on purpose).
[assembly: Parallelize(Workers = 2, Scope = ExecutionScope.ClassLevel)]
