"""Endpoints: any OpenAI-compatible chat API (Ollama, llama.cpp's server, vLLM, a hosted API, `studio serve`
itself) named once — a base URL, a model and the name of the environment variable that holds its key — and
then used by the studio as a teacher (studio.data.generate.teacher), a Compare column (studio.compare) and a
judge (studio.evaluate.judge). The key is read from the environment at each call: never stored, shown or
logged."""
from studio.text import Said


class EndpointError(Said, ValueError):
    """An endpoint that cannot be saved or cannot answer (no key, down, slow, not an OpenAI API), said in the
    UI's language; nothing the studio holds is lost by it."""
