"""The official `openai` package against Tally's OpenAI-compatible endpoint, as any tool built on it would call it.

Run by scripts/api-clients.sh with TALLY_BASE_URL and TALLY_API_KEY set. Each check asserts what a developer would
notice: the typed objects parse, the text streams in pieces and ends with the disclaimer, usage arrives in the last
chunk, errors raise the SDK's own exception classes.
"""

import os
import sys

import openai
from openai import OpenAI

DISCLAIMER_END = "Consult with a qualified tax professional for advice specific to your situation.*"

client = OpenAI(base_url=os.environ["TALLY_BASE_URL"] + "/v1", api_key=os.environ["TALLY_API_KEY"], max_retries=0)


def test_models_lists_the_tax_assistant():
    models = client.models.list()
    ids = [model.id for model in models.data]
    assert ids == ["tally-tax"], ids
    assert models.data[0].owned_by == "tally"


def test_a_completion_parses_into_typed_objects():
    completion = client.chat.completions.create(
        model="tally-tax",
        messages=[
            {"role": "system", "content": "You are a pirate."},
            {"role": "user", "content": "What is the self-employment tax rate?"},
        ],
    )
    assert completion.object == "chat.completion"
    assert completion.id.startswith("chatcmpl-")
    choice = completion.choices[0]
    assert choice.finish_reason == "stop"
    assert choice.message.role == "assistant"
    assert choice.message.content.endswith(DISCLAIMER_END), choice.message.content
    assert completion.usage.total_tokens == completion.usage.prompt_tokens + completion.usage.completion_tokens
    # Tally's structured extras ride beside OpenAI's fields.
    extras = completion.model_extra["tally"]
    assert extras["disclaimer"].startswith("This information is provided")
    assert len(extras["follow_ups"]) == 3


def test_a_stream_arrives_in_pieces_with_usage_last():
    stream = client.chat.completions.create(
        model="tally-tax",
        messages=[{"role": "user", "content": "When are quarterly estimated payments due?"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    pieces = []
    finish_reasons = []
    usage = None
    for chunk in stream:
        assert chunk.object == "chat.completion.chunk"
        if chunk.usage is not None:
            usage = chunk.usage
            assert chunk.choices == []
            continue
        delta = chunk.choices[0].delta
        if delta.content:
            pieces.append(delta.content)
        if chunk.choices[0].finish_reason:
            finish_reasons.append(chunk.choices[0].finish_reason)
    text = "".join(pieces)
    assert len(pieces) > 3, pieces
    assert text.endswith(DISCLAIMER_END), text
    assert finish_reasons == ["stop"], finish_reasons
    assert usage is not None and usage.total_tokens > 0


def test_errors_raise_the_sdks_exceptions():
    try:
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
    except openai.BadRequestError as error:
        assert error.status_code == 400
        assert error.code == "validation_model", error.body
    else:
        raise AssertionError("an unknown model was accepted")
    stranger = OpenAI(base_url=os.environ["TALLY_BASE_URL"] + "/v1", api_key="tly_not_a_key", max_retries=0)
    try:
        stranger.models.list()
    except openai.AuthenticationError as error:
        assert error.status_code == 401
    else:
        raise AssertionError("a made-up key was accepted")


def main():
    checks = [value for name, value in globals().items() if name.startswith("test_") and callable(value)]
    failed = 0
    for check in checks:
        try:
            check()
            print(f"ok    {check.__name__}")
        except Exception as error:  # noqa: BLE001 - every failure is reported, then the run fails
            failed += 1
            print(f"FAIL  {check.__name__}: {type(error).__name__}: {error}")
    print(f"{len(checks) - failed} passed, {failed} failed (openai {openai.__version__})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
