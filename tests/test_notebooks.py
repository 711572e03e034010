"""The notebooks in notebooks/ run clean, top to bottom, in a Jupyter kernel of this environment
(nbclient), and are committed without outputs.

The kernel is the ``python3`` kernelspec of the project's environment (``ipykernel`` in the dev
group installs it into ``.venv``); jupyter_client starts it with this interpreter.
"""

import os
import sys

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from tests.conftest import CORPORA, REPO

NOTEBOOKS = REPO / "notebooks"
KERNEL = "python3"


@pytest.fixture(scope="module")
def kernel() -> str:
    try:
        spec = KernelSpecManager().get_kernel_spec(KERNEL)
    except NoSuchKernel:
        pytest.fail(f"no {KERNEL!r} Jupyter kernel: install the dev dependencies (ipykernel) with `make install`")
    # "python" in a kernelspec is started as this interpreter, so the kernel sees this environment.
    assert spec.argv[0] in ("python", "python3", sys.executable), spec.argv
    return KERNEL


def run(name: str, kernel: str, *, env: dict | None = None) -> nbformat.NotebookNode:
    """Execute a notebook from the notebooks folder, as Jupyter would (``env``: more environment
    variables for the kernel); CellExecutionError on any error."""
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = NotebookClient(notebook, kernel_name=kernel, timeout=600,
                            resources={"metadata": {"path": str(NOTEBOOKS)}})
    client.execute(**({"env": {**os.environ, **env}} if env else {}))
    return notebook


def outputs(notebook: nbformat.NotebookNode) -> list[dict]:
    return [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]


def shown(notebook: nbformat.NotebookNode) -> str:
    """Everything the notebook printed or displayed as text."""
    parts = []
    for output in outputs(notebook):
        if output.output_type == "stream":
            parts.append(output.text)
        elif output.output_type in ("execute_result", "display_data"):
            parts.append(str(output.data.get("text/plain", "")))
    return "\n".join(parts)


def charts(notebook: nbformat.NotebookNode) -> list[dict]:
    """The Altair charts the notebook displayed (their HTML embeds the Vega-Lite spec)."""
    return [output for output in outputs(notebook) if output.output_type in ("execute_result", "display_data")
            and str(output.data.get("text/plain", "")).startswith("alt.")]


@pytest.mark.parametrize("name", ["quickstart.ipynb", "real_corpus.ipynb"])
def test_notebooks_are_committed_without_outputs(name):
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code and all(cell.outputs == [] and cell.execution_count is None for cell in code)
    assert notebook.metadata.kernelspec.name == KERNEL


def test_quickstart_runs_clean_from_the_seeds_to_an_event_and_an_outlet(kernel):
    notebook = run("quickstart.ipynb", kernel)
    assert not [output for output in outputs(notebook) if output.output_type == "error"]
    assert not [output for output in outputs(notebook) if output.get("name") == "stderr"], "warnings printed"
    text = shown(notebook)
    assert "e-9f1dbcdf845c" in text and "EventComparison:" in text
    assert "Hillary Rodham Clinton" in text  # CBS News's most quoted speaker
    assert "view = event_comparison(store, 'e-9f1dbcdf845c')" in text  # the code from the link
    assert "Harbour Gazette, Island Courier" in text  # the DataFrame corpus's shared event
    assert len(charts(notebook)) >= 3


@pytest.mark.corpus
def test_real_corpus_notebook_runs_clean_on_newswcl50(kernel):
    if not (CORPORA / "newswcl50" / "newswcl50.jsonl").is_file():
        pytest.skip(f"real_corpus.ipynb needs NewsWCL50 in {CORPORA} (clone ../shared beside the repo)")
    notebook = run("real_corpus.ipynb", kernel)
    assert not [output for output in outputs(notebook) if output.output_type == "error"]
    text = shown(notebook)
    assert "'articles': 50" in text and "Breitbart" in text and "Fox News" in text
    assert "newswcl50-9" in text  # the curated events beside the events found
    assert len(charts(notebook)) >= 5


def test_real_corpus_notebook_stops_with_a_clear_message_without_the_corpora(kernel, tmp_path):
    with pytest.raises(CellExecutionError) as stopped:
        run("real_corpus.ipynb", kernel, env={"COVERAGE_LENS_CORPORA": str(tmp_path)})
    assert "CorporaMissing" in str(stopped.value)
    assert f"Skipped: NewsWCL50 is not at {tmp_path / 'newswcl50' / 'newswcl50.jsonl'}" in str(stopped.value)


def test_notebooks_use_only_the_public_api():
    for path in NOTEBOOKS.glob("*.ipynb"):
        source = "\n".join(cell.source for cell in nbformat.read(path, as_version=4).cells
                           if cell.cell_type == "code")
        imported = [line for line in source.splitlines() if line.startswith(("from analysis", "import analysis"))]
        assert imported and all(line.startswith("from analysis import") for line in imported), path.name
