# The mutant list (tools/mutate/mutants.txt), read by tools/mutate/run and apply.
#
# One mutant a line:   NAME FILE FROM ~> TO
#   NAME  unique, no spaces (area.what-was-broken)
#   FILE  path in the repository
#   FROM  text that must occur exactly once in FILE; TO replaces it (both taken
#         literally, one space around ' ~> ' dropped; TO may be empty; \N is a
#         newline and \T a tab, for edits across lines: C's own \n stays as it is)
# A line   vm NAME TEST [ARGS]   names the VM test that kills a mutant the host
# suite cannot (tools/mutate/run --vm runs it). '#' lines and blank lines are ignored.
import re
from dataclasses import dataclass
from pathlib import Path

DEFAULT = Path(__file__).with_name("mutants.txt")


@dataclass
class Mutant:
    name: str
    file: str
    frm: str
    to: str
    line: int
    vm: str = ""


def unescape(s: str) -> str:
    return s.replace("\\N", "\n").replace("\\T", "\t")


def load(path: Path = DEFAULT) -> list:
    out, vm = [], {}
    for n, raw in enumerate(path.read_text().splitlines(), 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        if raw.startswith("vm "):
            parts = raw.split(None, 2)
            if len(parts) != 3:
                raise SystemExit(f"{path}:{n}: 'vm NAME TEST' expected")
            vm[parts[1]] = parts[2]
            continue
        m = re.match(r"(\S+) (\S+) (.*)$", raw)
        if not m or " ~> " not in m.group(3) and not m.group(3).endswith(" ~>"):
            raise SystemExit(f"{path}:{n}: 'NAME FILE FROM ~> TO' expected")
        frm, _, to = (m.group(3) + " ").partition(" ~> ")
        to = to[:-1] if to.endswith(" ") else to
        out.append(Mutant(m.group(1), m.group(2), unescape(frm), unescape(to), n))
    names = [m.name for m in out]
    dup = {x for x in names if names.count(x) > 1}
    if dup:
        raise SystemExit(f"{path}: duplicate mutant names: {' '.join(sorted(dup))}")
    for name, test in vm.items():
        found = [m for m in out if m.name == name]
        if not found:
            raise SystemExit(f"{path}: 'vm {name}' names no mutant")
        found[0].vm = test
    return out
