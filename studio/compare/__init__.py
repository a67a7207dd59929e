"""Compare: a run's tuned model beside its base model and the article's alternatives (system prompt,
few-shot, retrieval), streamed; blind votes."""
