"""The two kinds of failure a user can cause, and the exit codes the contract gives them."""


def shown_column(column: int) -> int:
    """A column as a message prints it: counted from 1, as every editor counts (the first
    character is column 1).  Columns kept in the code (``SymderivError.column``, spans)
    are string indices, counted from 0."""
    return column + 1


class SymderivError(Exception):
    exit_code = 1

    def __init__(self, message: str, *, column: int | None = None, source: str | None = None):
        super().__init__(message)
        self.message = message
        self.column = column
        self.source = source

    def render(self) -> str:
        """One line, plus a caret line under the offending column when we know it."""
        line = f"error: {self.message}"
        if self.column is not None and "column" not in self.message:
            line += f" at column {shown_column(self.column)}"
        if self.column is not None and self.source is not None and "\n" not in self.source:
            shown, caret = _window(self.source, self.column)
            line += f"\n  {shown}\n  {' ' * caret}^"
        return line


SHOWN = 72      # characters of the source shown under a message


def _window(source: str, column: int) -> tuple[str, int]:
    """The source around ``column`` (a long input is cut to SHOWN characters, with ...),
    and where the caret goes under it."""
    if len(source) <= SHOWN:
        return source, column
    start = max(0, min(column - SHOWN // 2, len(source) - SHOWN))
    shown = source[start:start + SHOWN]
    caret = column - start
    if start > 0:
        shown, caret = "..." + shown, caret + 3
    if start + SHOWN < len(source):
        shown += "..."
    return shown, caret


class InputError(SymderivError):
    """Bad input: unparseable text, unknown names, malformed points (exit 2)."""
    exit_code = 2


class Unsupported(SymderivError):
    """Well-formed input outside what the engine can analyse exactly (exit 3)."""
    exit_code = 3


class BudgetExceeded(Unsupported):
    """A step ran past its work or size bound (exit 3): too large to decide here."""
