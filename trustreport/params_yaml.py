"""Reading a params file's YAML strictly: one meaning per file, or a one-line `ParamsError` naming the line.

`yaml.safe_load` accepts things a params file must not mean: a repeated key (the last one silently wins), an
impossible date (`2014-02-30` crashes the constructor with a bare `ValueError`), nesting deep enough to exhaust
Python's recursion limit, and anchors/aliases that expand to billions of values ("billion laughs"). This loader
refuses each with the line it is on, and leaves impossible dates as text so the params model can name their key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from trustreport.errors import ParamsError

MAX_BYTES = 1 << 20  # a params file is a page or two of text; 1 MiB is far beyond any real one
MAX_DEPTH = 50
MAX_VALUES = 100_000  # values after expanding aliases; the largest real params file has about 300

_MERGE_TAG = "tag:yaml.org,2002:merge"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


class _Refused(yaml.YAMLError):
    """A YAML document the params loader refuses; `line` is 1-based, `key` the key at fault when known."""

    def __init__(self, message: str, line: int | None, key: str = "") -> None:
        super().__init__(message)
        self.message, self.line, self.key = message, line, key


class _ParamsLoader(yaml.SafeLoader):
    """`SafeLoader` that refuses repeated keys and deep nesting, and keeps impossible dates as text."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        # The composer recurses once per level; stop long before Python's recursion limit does.
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise _Refused(f"nested more than {MAX_DEPTH} levels deep", mark.line + 1)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[tuple[str, str], int] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag == _MERGE_TAG:
                continue
            line = key_node.start_mark.line + 1
            first = seen.setdefault((key_node.tag, key_node.value), line)
            if first != line:
                raise _Refused(
                    f"repeated at line {line} (first at line {first}); the second would silently replace the first",
                    line,
                    key_node.value,
                )
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node: ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            # `2014-02-30` looks like a date but is none: keep the text so the model names the key that holds it.
            return self.construct_scalar(node)


_ParamsLoader.add_constructor(_TIMESTAMP_TAG, _ParamsLoader.construct_yaml_timestamp)


def read_yaml(path: Path) -> Any:
    """The YAML document in the params file at `path`, read strictly (module doc); `ParamsError` naming the line."""
    try:
        size = path.stat().st_size
    except OSError as err:
        raise ParamsError(path, "", f"cannot read the params file: {err.strerror}") from None
    if size > MAX_BYTES:
        raise ParamsError(path, "", f"params file is {size:,} bytes; expected a text file under {MAX_BYTES:,}")
    try:
        raw_bytes = path.read_bytes()
    except OSError as err:
        raise ParamsError(path, "", f"cannot read the params file: {err.strerror}") from None
    text = decode(path, raw_bytes)
    loader = None
    try:
        loader = _ParamsLoader(text)
        root = loader.get_single_node()
        if root is not None:
            _check_size(root)
        return loader.construct_document(root) if root is not None else None
    except _Refused as err:
        where = f" (line {err.line})" if err.line and not err.key else ""
        raise ParamsError(path, err.key, f"{err.message}{where}") from None
    except yaml.reader.ReaderError as err:
        line = text[: err.position].count("\n") + 1
        raise ParamsError(path, "", f"line {line} holds a control character (#x{err.character:04x})") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        problem = getattr(err, "problem", None) or str(err)
        raise ParamsError(path, "", f"not valid YAML{where}: {problem}") from None
    finally:
        if loader is not None:
            loader.dispose()


def decode(path: Path, raw_bytes: bytes) -> str:
    """The file's text as UTF-8 (a byte-order mark is dropped); bytes that are not UTF-8 are named by line."""
    try:
        return raw_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw_bytes[: err.start].count(b"\n") + 1
        bad = raw_bytes[err.start : err.start + 1].hex()
        raise ParamsError(path, "", f"line {line} is not UTF-8 text (byte 0x{bad}); save the file as UTF-8") from None


def _check_size(root: Node) -> None:
    """Refuse a document whose aliases expand to more than `MAX_VALUES` values or `MAX_DEPTH` levels, or that
    contains itself; each node is measured once (count and height), so a bomb is measured, never expanded."""
    measured: dict[int, tuple[int, int]] = {}
    open_nodes: set[int] = set()

    def measure(node: Node, depth: int) -> tuple[int, int]:
        line = node.start_mark.line + 1
        key = id(node)
        if key in open_nodes:
            raise _Refused("an alias refers to a value that contains it", line)
        if key not in measured:
            if depth > MAX_DEPTH:
                raise _Refused(f"anchors and aliases nest more than {MAX_DEPTH} levels deep", line)
            open_nodes.add(key)
            children: list[Node] = []
            if isinstance(node, SequenceNode):
                children = list(node.value)
            elif isinstance(node, MappingNode):
                children = [n for pair in node.value for n in pair]
            parts = [measure(child, depth + 1) for child in children]
            open_nodes.discard(key)
            measured[key] = (1 + sum(c for c, _ in parts), 1 + max((h for _, h in parts), default=0))
        count, height = measured[key]
        if count > MAX_VALUES:
            raise _Refused(f"anchors and aliases expand to more than {MAX_VALUES:,} values", line)
        if depth - 1 + height > MAX_DEPTH:
            raise _Refused(f"anchors and aliases nest more than {MAX_DEPTH} levels deep", line)
        return count, height

    measure(root, 1)
