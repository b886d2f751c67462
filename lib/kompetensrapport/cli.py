"""The ``kompetensrapport`` command.

    kompetensrapport build --year 2023 [--root DIR] [--only SLUG ...] [--no-render] [--jobs N]
    kompetensrapport validate --year 2023 [--root DIR]
    kompetensrapport new-year 2024 [--from 2023] [--root DIR]
    kompetensrapport check-site DIR
    kompetensrapport publish --year 2023 --target DIR [--root DIR] [--dry-run]

Exit statuses: 0 done; 1 invalid data or parameter files; 2 wrong usage (also a --root folder that
is not a project); 3 a notebook failed; 4 Quarto missing or failed; 5 another build is running in
the project; 130 interrupted. check-site: 0 no violation; 1 violations; 2 wrong usage or Chromium /
axe-core missing; 3 no rendered site to check. publish: 0 published; 1 refused (placeholders in
publicering.yml, a changed value without a reason, a site older than its inputs, invalid record or
corrections files); 2 wrong usage (no rendered site, a target that is no publication folder or
lacks the earlier versions, or a failed copy); 5 a build or another publish is running; 130
interrupted.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import traceback
from pathlib import Path

from kompetensrapport import __version__
from kompetensrapport.exceptions import KompetensrapportError

EPILOG = """exit statuses: 0 done; 1 invalid data or parameter files; 2 wrong usage (also a
--root folder that is not a project); 3 a notebook failed; 4 Quarto missing or failed;
5 another build is running; 130 interrupted"""

CHECK_SITE_EPILOG = """exit statuses: 0 no violation; 1 violations found (each printed with page, rule and
element); 2 wrong usage, or Chromium/axe-core missing (install from the project folder:
sh .ci/install-chromium.sh, npm ci); 3 no site to check: DIR is not there, links to nothing
(_site after a build without Quarto or with --no-render) or holds no HTML page (render the
site: make report, with Quarto installed)"""


PUBLISH_EPILOG = """Reasons for changed data are read from rattelser/<år>.csv (columns version, fil, rad,
kolumn, skal, datum), where the build also reads them for the page "Ändringar och rättelser"; the
record of versions is publiceringar/<år>.yml with the published data in publiceringar/<år>/<version>/
(commit both after publishing). exit statuses: 0 published (or, with --dry-run, publishable);
1 refused: publicering.yml still holds <...> placeholders, a changed value has no reason (or a
reason covers no change), the site was built from other data, reasons or versions than the project
holds now (build again, with --force when only rattelser/ or publiceringar/ changed), or a record
or corrections file is invalid; 2 wrong usage: no rendered site, a target that is not empty and
holds no publication or lacks the earlier versions, or a copy into it that failed (the target and
publiceringar/ are then unchanged); 5 a build or another publish is running; 130 interrupted"""


def _year(text: str) -> int:
    if not text.isdigit() or len(text) != 4:
        raise argparse.ArgumentTypeError(f"'{text}' is not a year (four digits, e.g. 2023)")
    return int(text)


def _jobs(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a positive whole number")
    return int(text)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kompetensrapport", description="Build and check the annual report on "
                                "kompetensförsörjning for Region Skåne.", epilog=EPILOG,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(sp):
        sp.add_argument("--year", type=_year, required=True, help="the report year (a folder in data/ and params/)")
        sp.add_argument("--root", type=Path, default=Path("."), metavar="DIR",
                        help="the project folder holding data/, params/ and reports/ (default: current directory)")
        sp.add_argument("--debug", action="store_true", help="show the Python traceback of an error")

    b = sub.add_parser("build", help="validate, run the notebooks, write the Quarto pages and render the site",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    common(b)
    b.add_argument("--only", action="append", metavar="SLUG", default=None,
                   help="build only this förvaltning (repeatable); the others keep their last good pages")
    b.add_argument("--no-render", action="store_true", help="skip Quarto rendering on purpose (exit 0)")
    b.add_argument("--jobs", type=_jobs, default=None, metavar="N",
                   help="notebooks run in parallel (default: the number of cores)")
    b.add_argument("--force", action="store_true",
                   help="run every notebook again, even those whose inputs are unchanged since the last build")

    n = sub.add_parser("new-year", help="create data/<år>/ (headers only) and params/<år>/ from an earlier year",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    n.add_argument("year", type=_year, help="the new report year")
    n.add_argument("--from", dest="source", type=_year, default=None, metavar="YEAR",
                   help="the year to copy the parameter files from (default: the year before)")
    n.add_argument("--root", type=Path, default=Path("."), metavar="DIR",
                   help="the project folder (default: current directory)")
    n.add_argument("--debug", action="store_true", help="show the Python traceback of an error")

    c = sub.add_parser("check-site", help="check every HTML page in DIR for WCAG 2.1 A/AA violations "
                       "(axe-core in headless Chromium)",
                       epilog=CHECK_SITE_EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_argument("folder", type=Path, metavar="DIR", help="the folder of HTML pages to check, e.g. _site")
    c.add_argument("--debug", action="store_true", help="show the Python traceback of an error")

    pub = sub.add_parser("publish", help="copy the last built site into a web root or pages-branch folder as the "
                         "next version (<år>.<n>), atomically, keeping the earlier versions' downloads",
                         epilog=PUBLISH_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    common(pub)
    pub.add_argument("--target", type=Path, required=True, metavar="DIR",
                     help="the folder readers are served from (a web root or a checked-out pages branch); "
                          "created when missing; it is replaced as a whole, its hidden entries (.git, ...) and "
                          "CNAME kept")
    pub.add_argument("--dry-run", action="store_true", help="check everything and say which version would be "
                                                            "published; write nothing")

    v = sub.add_parser("validate", help="check data and parameter files without running any notebook",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    common(v)
    return p


def _validate(args) -> int:
    from kompetensrapport.exceptions import InputError
    from kompetensrapport.inputs.reconcile import ROUNDING
    from kompetensrapport.inputs.validate import validate_year

    report = validate_year(args.root, args.year)
    if report.problems:
        raise InputError(report.problems)
    n_files = len(report.data)
    rounding = [c for c in report.checks if c.status == ROUNDING]
    print(f"data/{args.year} and params/{args.year} are valid: {len(report.params)} parameter file(s), "
          f"{n_files} data file(s), {len(report.checks)} reconciliation check(s).")
    for c in rounding:
        print(f"  rounding difference: {c.description}: stated {c.stated:g}, parts sum to {c.computed:g} "
              f"({c.difference:+g} {c.unit}, within ±{c.tolerance:g})")
    return 0


def _build(args) -> int:
    from kompetensrapport.pipeline.build import build

    build(args.root, args.year, only=args.only, render=not args.no_render, jobs=args.jobs, force=args.force,
          out=lambda s: print(s, flush=True))
    return 0


def _new_year(args) -> int:
    from kompetensrapport.inputs.newyear import new_year

    for line in new_year(args.root, args.year, args.source):
        print(line)
    return 0


def _publish(args) -> int:
    from kompetensrapport.pipeline.publish import publish

    publish(args.root, args.year, args.target, dry_run=args.dry_run, out=lambda s: print(s, flush=True))
    return 0


def _check_site(args) -> int:
    from kompetensrapport.pipeline import a11y

    return a11y.main(args.folder)


def _on_ctrl_c(signum, frame) -> None:
    """The first Ctrl-C stops the command (KeyboardInterrupt); the ones after it are ignored, so
    that the cleanup it starts (ending the workers and kernels, removing the staging folder) and
    the one line that says so are never cut short by a traceback. The cleanup is bounded: the
    processes are terminated, then killed."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise KeyboardInterrupt


def _interrupted(command_name: str | None) -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    what = {"build": ": reports/ and the site are unchanged",
            "publish": ": the target holds one whole version, the previous one unless "
                        "publiceringar/ records the new one"}.get(command_name, "")
    print(f"interrupted{what}", file=sys.stderr)
    return 130


def main(argv: list[str] | None = None) -> int:
    before = signal.getsignal(signal.SIGINT)
    if before is signal.default_int_handler:  # not ignored by whoever started us
        signal.signal(signal.SIGINT, _on_ctrl_c)
    try:
        return _main(argv)
    finally:
        signal.signal(signal.SIGINT, before)


def _main(argv: list[str] | None) -> int:
    args = None
    try:
        args = parser().parse_args(argv)
        root = getattr(args, "root", None)
        if root is not None and not root.is_dir():
            print(f"error: --root {root}: no such folder", file=sys.stderr)
            return 2
        if root is not None:
            from kompetensrapport.pipeline.build import require_project

            require_project(root, notebooks=args.command == "build")
        return {"build": _build, "validate": _validate, "new-year": _new_year,
                "check-site": _check_site, "publish": _publish}[args.command](args)
    except KompetensrapportError as e:
        if args.debug:
            traceback.print_exc()
        print(f"error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        return _interrupted(getattr(args, "command", None))
    except BrokenPipeError:  # the reader went away (`| head`): nothing more to say to it
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return 128 + signal.SIGPIPE


def console() -> None:
    """The ``kompetensrapport`` command: :func:`main`, then leave without the interpreter's
    teardown of what a build imported (pandas, pandera, papermill), which has nothing to save
    once the output is flushed."""
    code = main()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # nothing is left to stop: only the exit
    import logging

    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more to say
            pass
    os._exit(code)


if __name__ == "__main__":
    console()
