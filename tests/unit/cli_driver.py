"""Run many ``ehc`` invocations cheaply: one interpreter imports the CLI once and forks a
child per run, so each still has its own exit status, stdout and stderr."""

#: Runs ``ehc.cli.main.main`` once per invocation in a forked child; prints JSON results.
FORK_DRIVER = """
import json, os, sys, traceback
from ehc.cli.main import main
runs, where = json.loads(sys.argv[1]), sys.argv[2]
results = {}
for name, args in runs.items():
    out, err = os.path.join(where, name + ".out"), os.path.join(where, name + ".err")
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
            os.dup2(os.open(out, flags), 1)
            os.dup2(os.open(err, flags), 2)
            sys.argv = ["ehc", *args]
            try:
                main()
                code = 0
            except SystemExit as stop:
                code = stop.code if isinstance(stop.code, int) else int(stop.code is not None)
            except BaseException:
                traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    with open(out) as o, open(err) as e:
        results[name] = [os.waitstatus_to_exitcode(status), o.read(), e.read()]
print(json.dumps(results))
"""
