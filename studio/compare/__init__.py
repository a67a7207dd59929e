"""Compare: a run's tuned model beside its base model and the article's alternatives (system prompt,
few-shot, retrieval), streamed; blind votes."""
from studio.text import Said


class CompareError(Said, ValueError):
    """A comparison that cannot be made as asked (a prompts or notes file, a setting out of range, notes to
    retrieve from); said in the UI's language."""
