"""The two kinds of failure a user can cause, and the exit codes the contract gives them."""


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
            line += f" at column {self.column}"
        if self.column is not None and self.source is not None and "\n" not in self.source:
            line += f"\n  {self.source}\n  {' ' * self.column}^"
        return line


class InputError(SymderivError):
    """Bad input: unparseable text, unknown names, malformed points (exit 2)."""
    exit_code = 2


class Unsupported(SymderivError):
    """Well-formed input outside what the engine can analyse exactly (exit 3)."""
    exit_code = 3


class BudgetExceeded(Unsupported):
    """A step ran past its work or size bound (exit 3): too large to decide here."""
