"""Errors the user can fix. Each carries one sentence; the CLI prints it and exits with code 2."""


class ConvertError(Exception):
    """A bad input (missing file, not a checkpoint, config that does not fit the weights)."""

    exit_code = 2

    def __init__(self, sentence: str) -> None:
        super().__init__(sentence)
        self.sentence = sentence
