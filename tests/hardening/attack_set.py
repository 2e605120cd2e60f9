"""The whole 2026-12 attack set, as commands run in limited child processes.

Every repro of the attack report (files in `attack/`, shell scripts turned into set-ups) is
one `Case`: files to create, a `trustmap` command, the exit statuses the output contract
allows, and checks of what it wrote. `run_case` runs the command in a child process limited
to 500 MB of memory (RLIMIT_AS) and 10 s of CPU (RLIMIT_CPU), with a wall-clock limit that
catches hangs, and fails on a traceback, a hang, a memory or CPU overrun, an exit status
outside the contract, a write outside the case's output folders (escape), a changed input
(data loss), a forged CSV row or formula, or a terminal control in a text output (injection).

`make attack` runs it (`pytest -m attack`); `make test` runs it with everything else.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ATTACK = Path(__file__).parent / "attack"
EXAMPLES = Path(__file__).parents[2] / "examples"
TEMPLATES = Path(__file__).parents[1] / "interop" / "templates"
DAY = ("--today", "2026-06-01")

MEMORY = 500 * 1024 * 1024
CPU_SECONDS = 10
#: wall-clock seconds after which a command counts as hung (CPU time is the real limit; the
#: margin is for loaded CI machines running tests in parallel)
HANG_SECONDS = float(os.environ.get("TRUSTMAP_ATTACK_HANG_SECONDS", "30"))

#: C0 controls but tab and LF, DEL, C1 controls, other line separators: never in a text output
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]")
FORMULA = ("=", "+", "-", "@")


@dataclass(frozen=True)
class Result:
    code: int
    stdout: bytes
    stderr: bytes
    seconds: float
    folder: Path


@dataclass(frozen=True)
class Case:
    """One attempt of the attack: `trustmap ARGS` in a folder prepared by `setup`."""

    id: str
    args: tuple[str, ...]
    codes: tuple[int, ...]
    #: text the standard error must hold (the diagnostic that explains the refusal)
    expect: str = ""
    setup: Callable[[Path], None] = lambda folder: None
    env: dict[str, str] = field(default_factory=dict)
    #: folders (relative) the command may write into; everything else must stay as it was
    outputs: tuple[str, ...] = ("out",)
    check: Callable[[Result], None] = lambda result: None
    stdin: str | None = None
    stdout: str | None = None  # "closed" or "full": what standard output is


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))


def _snapshot(root: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    for directory, folders, files in os.walk(root):
        for name in folders + files:
            path = Path(directory) / name
            key = path.relative_to(root).as_posix()
            if path.is_symlink():
                found[key] = "link:" + os.readlink(path)
            elif path.is_dir():
                found[key] = "dir"
            elif path.is_file():
                found[key] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                found[key] = "special"
    return found


def run_case(case: Case, folder: Path) -> Result:
    """Run the case in `folder` and check everything that must hold whatever the command."""
    case.setup(folder)
    before = _snapshot(folder)
    env = {**os.environ, "TMPDIR": str(folder / ".tmp"), **case.env}
    (folder / ".tmp").mkdir(exist_ok=True)
    args = [a.format(dir=folder) for a in case.args]
    stdout: int | object = subprocess.PIPE
    handle = None
    if case.stdout == "full":
        handle = open("/dev/full", "wb")  # noqa: SIM115 - closed below
        stdout = handle
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "trustmap", *args],
        cwd=folder,
        env=env,
        stdin=subprocess.PIPE if case.stdin is not None else subprocess.DEVNULL,
        stdout=stdout,  # type: ignore[arg-type]
        stderr=subprocess.PIPE,
        preexec_fn=(lambda: (_limits(), os.close(1))) if case.stdout == "closed" else _limits,
        start_new_session=True,
    )
    try:
        out, err = process.communicate(case.stdin.encode() if case.stdin else None, timeout=HANG_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise AssertionError(f"{case.id}: HANG, still running after {HANG_SECONDS:g} s") from None
    finally:
        if handle is not None:
            handle.close()
    result = Result(process.returncode, out or b"", err or b"", time.perf_counter() - start, folder)
    text = result.stderr.decode("utf-8", "replace")
    assert b"Traceback" not in result.stderr + result.stdout, f"{case.id}: TRACEBACK\n{text[-3000:]}"
    assert result.code not in (-signal.SIGXCPU, -signal.SIGKILL), f"{case.id}: over {CPU_SECONDS} s of CPU"
    assert "MemoryError" not in text, f"{case.id}: over {MEMORY // 2**20} MB"
    assert result.code in case.codes, f"{case.id}: exit {result.code}, expected {case.codes}\n{text[-2000:]}"
    assert case.expect in text, f"{case.id}: expected {case.expect!r} in\n{text[-2000:]}"
    after = _snapshot(folder)
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    allowed = (".tmp", *case.outputs)
    escaped = sorted(k for k in changed if not any(k == a or k.startswith(a + "/") for a in allowed))
    assert not escaped, f"{case.id}: ESCAPE or DATA LOSS, changed outside {allowed}: {escaped[:10]}"
    leftovers = sorted((folder / ".tmp").iterdir())
    assert not leftovers, f"{case.id}: temporary files left behind: {leftovers[:5]}"
    for output in case.outputs:
        if (folder / output).is_dir():
            _check_outputs(case, folder / output)
    case.check(result)
    return result


def _check_outputs(case: Case, root: Path) -> None:
    """No terminal control, no forged CSV row or formula, no temporary left behind."""
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        assert not path.name.endswith(".tmp"), f"{case.id}: temporary left behind: {path}"
        if path.suffix in (".png", ".pdf"):
            continue
        text = path.read_bytes().decode("utf-8")
        found = UNSAFE.search(text)
        assert found is None, f"{case.id}: INJECT, {found.group()!r} in {path.name}"
        if path.suffix == ".csv":
            check_csv(case.id, text)


def check_csv(where: str, text: str) -> None:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert {len(row) for row in rows} == {len(rows[0])}, f"{where}: INJECT, a CSV row was forged"
    for row in rows:
        for cell in row:
            for line in cell.split("\n"):
                assert not line.lstrip().startswith(FORMULA), f"{where}: INJECT, a CSV formula: {cell[:60]!r}"


# -- set-ups --------------------------------------------------------------------------------


def _copy(*names: str) -> Callable[[Path], None]:
    def setup(folder: Path) -> None:
        for name in names:
            source = ATTACK / name if (ATTACK / name).exists() else EXAMPLES / name
            (folder / Path(name).name).write_bytes(source.read_bytes())

    return setup


def _write(name: str, text: str | Callable[[], str]) -> Callable[[Path], None]:
    def setup(folder: Path) -> None:
        (folder / name).write_text(text() if callable(text) else text, encoding="utf-8")

    return setup


def _both(*setups: Callable[[Path], None]) -> Callable[[Path], None]:
    def setup(folder: Path) -> None:
        for step in setups:
            step(folder)

    return setup


def _symlink_escape(folder: Path) -> None:
    """stem-symlink-escape.sh: out/shop -> ../victim, victim/report.json 'keep me'."""
    _copy("shop.yaml")(folder)
    (folder / "victim").mkdir()
    (folder / "victim" / "report.json").write_text("keep me\n")
    (folder / "out").mkdir()
    (folder / "out" / "shop").symlink_to("../victim")


def _catalog_with(entry: str, how: str) -> Callable[[Path], None]:
    def setup(folder: Path) -> None:
        services = folder / "cat" / "services"
        services.mkdir(parents=True)
        if how == "link":
            (services / entry).symlink_to("/dev/zero")
        elif how == "fifo":
            os.mkfifo(services / entry)
        else:
            (services / entry).mkdir()

    return setup


def _fifo(folder: Path) -> None:
    os.mkfifo(folder / "model.yaml")


def _amplified() -> str:
    s = "A" * (1024 * 1024)
    lines = ["trustmap: 1", "name: amp", "description: &s " + s, "components:"]
    lines += [f"  c{i}: {{service: ec2, description: *s, name: *s}}" for i in range(200)]
    return "\n".join(lines) + "\n"


def _big_names() -> str:
    """sigterm-interrupt.sh's model: a 12 MB name (about 500 MB of outputs before)."""
    return (
        f"trustmap: 1\nname: {'A' * 12 * 1024 * 1024}\ncomponents:\n  web: {{service: ec2}}\n"
        "  db: {service: rds}\nflows:\n  - {from: web, to: db, protocol: postgres}\n"
    )


def _big_descriptions() -> str:
    """Y02: 16 MB without aliases, inside every limit (670 MB of outputs and 1.2 GB before)."""
    lines = ["trustmap: 1", "name: big", "components:"]
    lines += [
        f"  c{i}: {{service: ec2, description: {'D' * 790_000}, name: {'N' * 10_000}}}" for i in range(20)
    ]
    return "\n".join(lines) + "\n"


def _big_reason() -> str:
    return (
        "trustmap: 1\nname: r\ncomponents:\n  web: {service: ec2}\n  db: {service: rds}\n"
        "flows:\n  - {from: web, to: db, protocol: postgres}\n"
        f'accepted:\n  - finding: "*"\n    status: accepted\n    reason: {"R" * 8_000_000}\n'
    )


def _big_regulation() -> str:
    """A 4 MB regulation on data that ten components store and nine flows carry (found by the
    attack set once names were cut: 120 MB of report.json and 670 MB of memory)."""
    lines = [
        "trustmap: 1",
        "name: reg",
        "data:",
        f"  pii: {{classification: restricted, regulations: [{'R' * 4_000_000}]}}",
    ]
    lines += ["components:", *(f"  c{i}: {{service: ec2, stores: [pii]}}" for i in range(10)), "flows:"]
    lines += [f"  - {{from: c{i}, to: c{i + 1}, protocol: http, data: [pii]}}" for i in range(9)]
    return "\n".join(lines) + "\n"


def mesh(instances: int) -> str:
    """The template of attack/scale_sgmesh.sh: instances in one group that allows itself."""
    text = (
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  V:\n    Type: AWS::EC2::VPC\n"
        "    Properties: {CidrBlock: 10.0.0.0/16}\n  SG:\n    Type: AWS::EC2::SecurityGroup\n"
        "    Properties:\n"
        "      GroupDescription: g\n      VpcId: !Ref V\n      SecurityGroupIngress:\n"
        "        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, SourceSecurityGroupId: !Ref SG}\n"
    )
    return text + "".join(
        f"  I{i}:\n    Type: AWS::EC2::Instance\n    Properties:\n      SecurityGroupIds: [!Ref SG]\n"
        for i in range(instances)
    )


def _big_template() -> str:
    """cfn-big-slow.sh: 7 MB of plain YAML."""
    head = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n"
    return head + "".join(
        f"  R{i}:\n    Type: AWS::SQS::Queue\n"
        f"    Properties: {{QueueName: q{i}, DelaySeconds: 0, Tags: [{{Key: k, Value: v}}]}}\n"
        for i in range(60000)
    )


def _huge_otm() -> str:
    """otm-over-limit.sh: a 40 MB OTM JSON document."""
    return json.dumps(
        {
            "otmVersion": "0.2.0",
            "project": {"name": "p", "id": "p"},
            "trustZones": [{"id": "z", "name": "z"}],
            "components": [{"id": "a", "name": "a", "type": "ec2", "parent": {"trustZone": "z"}}],
            "pad": "x" * (40 * 1024 * 1024),
        }
    )


def _overwrite_index(folder: Path) -> None:
    (folder / "index.html").write_bytes((EXAMPLES / "shop.yaml").read_bytes())


def _overwrite_report(folder: Path) -> None:
    (folder / "out" / "report").mkdir(parents=True)
    (folder / "out" / "report" / "report.json").write_bytes((EXAMPLES / "shop.yaml").read_bytes())


# -- checks ---------------------------------------------------------------------------------


def _files(count: int, stem: str) -> Callable[[Result], None]:
    def check(result: Result) -> None:
        written = sorted(p.name for p in (result.folder / "out" / stem).iterdir())
        assert len(written) == count, f"{stem}: {len(written)} files (the manifest included): {written}"

    return check


def _stdout_csv(result: Result) -> None:
    text = result.stdout.decode("utf-8")
    assert not UNSAFE.search(text), "INJECT: a terminal control on standard output"
    check_csv("standard output", text)


def _one_flow(result: Result) -> None:
    assert result.stdout.count(b"protocol:") == 1, "N*(N-1) flows"


def _victim_kept(result: Result) -> None:
    assert (result.folder / "victim" / "report.json").read_text() == "keep me\n"


def _not_built(result: Result) -> None:
    assert b"PWNED" not in result.stdout and not list(result.folder.glob("PWNED*"))


SHOP = "shop.yaml"
_EPOCHS = {"20 digits": "99999999999999999999", "year 10000": "253402300800", "5000 digits": "9" * 5000}

CASES: Sequence[Case] = (
    # D1 CSV row and formula injection through a bare CR
    Case(
        "D1-build",
        ("build", "csv-cr-injection.yaml", "-o", "out", *DAY),
        (0,),
        setup=_copy("csv-cr-injection.yaml"),
    ),
    Case(
        "D1-checklist-csv",
        ("checklist", "csv-cr-injection.yaml", "--format", "csv", *DAY),
        (0,),
        setup=_copy("csv-cr-injection.yaml"),
        check=_stdout_csv,
    ),
    # D2 writes outside -o through a link at DIR/<stem>
    Case(
        "D2-stem-symlink",
        ("build", SHOP, "-o", "out", *DAY),
        (2,),
        "never writes through a link",
        setup=_symlink_escape,
        outputs=(),
        check=_victim_kept,
    ),
    # D3 one accepted: pattern hangs validate, build, checklist, diff
    *(
        Case(
            f"D3-{command}-{name}",
            (command, f"{name}.yaml", *extra, *DAY),
            (2,),
            "E210",
            setup=_copy(f"{name}.yaml"),
        )
        for name in ("redos-accepted-pattern", "redos-id64-k5", "redos-k6", "redos-id32-k8", "redos-id20-k10")
        for command, extra in (("validate", ()), ("checklist", ()), ("build", ("-o", "out")))
    ),
    Case(
        "D3-diff",
        ("diff", "redos-accepted-pattern.yaml", "redos-accepted-pattern.yaml", *DAY),
        (2,),
        "E210",
        setup=_copy("redos-accepted-pattern.yaml"),
    ),
    # D4 an aliased megabyte string; names and reasons repeated on every row
    *(
        Case(
            f"D4-amplification-{command}",
            (command, "amp.yaml", *extra, *DAY),
            (2,),
            "E007",
            setup=_write("amp.yaml", _amplified),
        )
        for command, extra in (("validate", ()), ("build", ("-o", "out")))
    ),
    Case(
        "D4-12MB-name",
        ("build", "model.yaml", "-o", "out", *DAY),
        (0,),
        setup=_write("model.yaml", _big_names),
    ),
    Case(
        "D4-16MB-descriptions",
        ("build", "big.yaml", "-o", "out", *DAY),
        (0,),
        setup=_write("big.yaml", _big_descriptions),
    ),
    Case("D4-8MB-reason", ("build", "r.yaml", "-o", "out", *DAY), (0,), setup=_write("r.yaml", _big_reason)),
    Case(
        "D4-4MB-regulation",
        ("build", "g.yaml", "-o", "out", *DAY),
        (0,),
        setup=_write("g.yaml", _big_regulation),
    ),
    # D5 special files read whole; a FIFO without a writer
    Case("D5-dev-zero", ("validate", "/dev/zero"), (2,), "it is a device"),
    Case("D5-dev-urandom", ("validate", "/dev/urandom"), (2,), "it is a device"),
    Case("D5-fifo-model", ("validate", "model.yaml", *DAY), (2,), "it is a pipe", setup=_fifo),
    Case("D5-fifo-build", ("build", "model.yaml", "-o", "out", *DAY), (2,), "it is a pipe", setup=_fifo),
    Case(
        "D5-catalog-dev-zero",
        ("validate", str(EXAMPLES / SHOP), "--catalog", "cat", *DAY),
        (2,),
        "it is a device",
        setup=_catalog_with("zero.yaml", "link"),
    ),
    Case(
        "D15-catalog-fifo",
        ("validate", str(EXAMPLES / SHOP), "--catalog", "cat", *DAY),
        (2,),
        "it is a pipe",
        setup=_catalog_with("fifo.yaml", "fifo"),
    ),
    Case(
        "D5-mapping-dev-zero",
        ("import", "cloudformation", str(TEMPLATES / "three-tier.yaml"), "-o", "-", "--mapping", "/dev/zero"),
        (2,),
        "it is a device",
    ),
    # D7 boundary parent chains
    *(
        Case(
            f"D7-chain-600-{'-'.join(args[:1])}",
            (*args[:1], "chain-600.yaml", *args[1:], *DAY),
            (2,),
            "E212",
            setup=_copy("chain-600.yaml"),
        )
        for args in (("build", "-o", "out"), ("diagram", "--format", "svg", "-o", "out/a.svg"), ("validate",))
    ),
    Case(
        "D7-chain-600-mermaid",
        ("diagram", "chain-600.yaml", "--format", "mermaid", *DAY),
        (2,),
        "E212",
        setup=_copy("chain-600.yaml"),
    ),
    # D8 CloudFormation: self-referencing security groups, a 7 MB template
    *(
        Case(
            f"D8-sg-mesh-{n}",
            ("import", "cloudformation", f"sg-mesh-{n}.yaml", "-o", "-"),
            (0,),
            setup=_copy(f"sg-mesh-{n}.yaml"),
            check=_one_flow,
        )
        for n in (400, 800)
    ),
    Case(
        "D8-sg-mesh-2000",
        ("import", "cloudformation", "mesh.yaml", "-o", "-"),
        (0,),
        setup=_write("mesh.yaml", lambda: mesh(2000)),
        check=_one_flow,
    ),
    Case(
        "D8-cfn-big-slow",
        ("import", "cloudformation", "big.cfn.yaml", "-o", "-"),
        (2,),
        "E007",
        setup=_write("big.cfn.yaml", _big_template),
    ),
    # D9 tracebacks
    *(
        Case(
            f"D9-SOURCE_DATE_EPOCH-{label}",
            ("validate", str(EXAMPLES / SHOP)),
            (2,),
            "SOURCE_DATE_EPOCH",
            env={"SOURCE_DATE_EPOCH": value},
        )
        for label, value in _EPOCHS.items()
    ),
    *(
        Case(
            f"D9-graphviz-timeout-{value}-{command}",
            (*command.split(), str(EXAMPLES / SHOP), *extra, "--graphviz-timeout", value, *DAY),
            (2,),
            "--graphviz-timeout",
        )
        for value in ("nan", "inf", "1e308", "0", "-1")
        for command, extra in (
            ("build", ("-o", "out")),
            ("diagram", ("--format", "svg", "-o", "out/a.svg")),
            ("export otm", ("-o", "out/a.json")),
        )
    ),
    Case(
        "D9-bignum-otm",
        ("import", "otm", "bignum.otm.json", "-o", "-"),
        (2,),
        "E001",
        setup=_copy("bignum.otm.json"),
    ),
    Case(
        "D9-bignum-cfn",
        ("import", "cloudformation", "bignum.cfn.json", "-o", "-"),
        (2,),
        "E001",
        setup=_copy("bignum.cfn.json"),
    ),
    Case(
        "D9-catalog-directory",
        ("validate", str(EXAMPLES / SHOP), "--catalog", "cat", *DAY),
        (2,),
        "it is a directory",
        setup=_catalog_with("dir.yaml", "directory"),
    ),
    Case("D9-stdout-closed", ("schema",), (2,), "cannot write to standard output", stdout="closed"),
    Case("D9-stdout-full", ("catalog", "services"), (2,), "No space left on device", stdout="full"),
    *(
        Case(
            f"D9-ascii-{label}",
            ("checklist", "m.yaml", *DAY),
            (0,),
            setup=_write(
                "m.yaml", "trustmap: 1\nname: Café 🔒\ncomponents:\n  web: {service: ec2, name: Wéb}\n"
            ),
            env=env,
        )
        for label, env in (
            ("PYTHONIOENCODING", {"PYTHONIOENCODING": "ascii"}),
            ("C-locale", {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}),
        )
    ),
    # D10 U+FFFE/U+FFFF in a name: every output written (the manifest and dataflow.mmd included)
    Case(
        "D10-noncharacter",
        ("build", "noncharacter-name.yaml", "-o", "out", *DAY),
        (0,),
        setup=_copy("noncharacter-name.yaml"),
        check=_files(17, "noncharacter-name"),
    ),
    # D11 outputs over inputs
    Case(
        "D11-model-is-index",
        ("build", "index.html", "-o", ".", *DAY),
        (2,),
        "replaced by the batch index",
        setup=_overwrite_index,
        outputs=(),
    ),
    Case(
        "D11-diagram-over-model",
        ("diagram", SHOP, "-o", SHOP, *DAY),
        (2,),
        "is an input",
        setup=_copy(SHOP),
        outputs=(),
    ),
    Case(
        "D11-report-over-model",
        ("build", "out/report/report.json", "-o", "out", *DAY),
        (2,),
        "is an input",
        setup=_overwrite_report,
        outputs=(),
    ),
    Case(
        "D11-stem-index-html",
        ("build", "index.html.yaml", SHOP, "-o", "out", *DAY),
        (2,),
        "where the batch index goes",
        setup=_both(_copy(SHOP), _write("index.html.yaml", (EXAMPLES / SHOP).read_text())),
        outputs=(),
    ),
    # D12 the 16 MiB limit for OTM JSON
    Case(
        "D12-otm-40MB",
        ("import", "otm", "huge.otm.json", "-o", "-"),
        (2,),
        "E007",
        setup=_write("huge.otm.json", _huge_otm),
    ),
    # D13 terminal escapes
    Case(
        "D13-build",
        ("build", "terminal-escape.yaml", "-o", "out", *DAY),
        (0,),
        setup=_copy("terminal-escape.yaml"),
    ),
    Case(
        "D13-checklist-csv",
        ("checklist", "terminal-escape.yaml", "--format", "csv", *DAY),
        (0,),
        setup=_copy("terminal-escape.yaml"),
        check=_stdout_csv,
    ),
    # D14 keys that are not text
    Case(
        "D14-nonstring-keys",
        ("validate", "nonstring-keys.yaml", *DAY),
        (2,),
        "nonstring-keys.yaml:5:1: E103",
        setup=_copy("nonstring-keys.yaml"),
    ),
    # D15 an object-building tag on a sequence
    Case(
        "D15-python-tag-on-sequence",
        ("import", "cloudformation", "cfn-python-tag-on-sequence.yaml", "-o", "-"),
        (2,),
        "E003",
        setup=_copy("cfn-python-tag-on-sequence.yaml"),
        check=_not_built,
    ),
)
