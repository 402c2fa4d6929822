// Tests wait on containers far more than they compute: run several at once.
[assembly: Parallelize(Workers = 6, Scope = ExecutionScope.MethodLevel)]
