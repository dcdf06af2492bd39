"""The one validation pass: what `trustreport validate` reports and what `run` checks before anything runs.

`load_params` checks the params file and that each source file can be read as its kind expects; `validate` then
reads every source through its adapter (well under a second per city for the bundled data), so a column that is
missing, an option that matches no row or a value the adapter cannot map is named before the notebook starts.
A params file that passes is one the report's sources will not refuse; any `run` failure on such a file is a bug.
"""

from __future__ import annotations

from pathlib import Path

from trustreport.errors import ParamsError, SourceError, SourceFileError
from trustreport.params import LoadedParams, load_params

MAX_DETAIL = 300  # characters of an unexpected reader error kept in the one-line message


def validate(path: str | Path, *, data_root: str | Path | None = None) -> LoadedParams:
    """Load the params at `path` and read each source with its adapter; `ParamsError` naming the file, the
    `sources[i]` key and the source's own file, row and column on the first problem."""
    from trustreport.sources import read_source

    loaded = load_params(path, data_root=data_root)
    for index, spec in enumerate(loaded.params.sources):
        source = loaded.source_paths[spec.id]
        try:
            read_source(
                source_id=spec.id,
                kind=spec.kind,
                path=source,
                jurisdiction=loaded.params.jurisdiction,
                options=spec.options,
                citation=spec.citation,
                licence=spec.licence,
                url=spec.url,
                params_path=loaded.path,
            )
        except SourceError as err:
            shown = spec.path if err.path in (str(source), str(loaded.path)) else err.path
            # A file its adapter finds unreadable in its one scan is refused where `load_params` would refuse it.
            key = f"sources[{index}].path" if isinstance(err, SourceFileError) else f"sources[{index}]"
            raise ParamsError(loaded.path, key, f"{shown}: {err.message}") from None
        except Exception as err:  # a reader's own failure on a file that passed the checks: still one line
            detail = f"{type(err).__name__}: {err}"[:MAX_DETAIL]
            raise ParamsError(loaded.path, f"sources[{index}]", f"{spec.path}: cannot be read: {detail}") from None
    return loaded
