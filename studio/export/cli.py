"""`studio export` and `studio import-adapter`."""
from __future__ import annotations

import argparse
import json

from studio.export import ExportError, bundle, gguf, hub
from studio.export.hub import DEFAULT_TOKEN_ENV
from studio.export.importer import import_adapter


def cmd_export(args: argparse.Namespace) -> int:
    if args.push and args.gguf:
        raise ExportError("err_push_gguf")
    if args.push:  # a missing token or a bad repo id fails before minutes of merging, not after
        hub.check_repo_id(args.push)
        hub.hub_token(args.token_env)
    result: dict = {"run": args.run}
    if args.gguf:
        made = gguf.export_gguf(args.run, args.gguf, gguf_type=args.gguf_type, overwrite=args.overwrite)
        result.update(gguf=str(made.gguf), modelfile=str(made.modelfile), gguf_type=made.gguf_type,
                      architecture=made.architecture, megabytes=made.megabytes)
    elif args.adapter_zip:
        result["adapter_zip"] = str(bundle.export_adapter_zip(args.run, args.adapter_zip, overwrite=args.overwrite))
    else:
        result["merged"] = str(bundle.export_merged(args.run, args.merged, dtype=args.dtype, device=args.device,
                                                    overwrite=args.overwrite))
    if args.push:
        if args.adapter_zip:
            pushed = hub.push_adapter(args.run, args.push, token_env=args.token_env,
                                             private=not args.public)
        else:
            pushed = hub.push_folder(result["merged"], args.push, token_env=args.token_env,
                                            private=not args.public,
                                            message=f"Merged model from Katachi Studio run {args.run}")
        result["pushed"] = {"repo": pushed.repo_id, "url": pushed.url, "files": pushed.files}
    _say(result, args.json)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    run = import_adapter(args.path, name=args.name, model=args.model)
    result = {"id": run.id, "model": run.config().model.name, "state": run.status().state}
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(f"imported as run {run.id} (base {result['model']}); it is listed by `studio runs` and in Compare")
    return 0


def _say(result: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
        return
    for key in ("adapter_zip", "merged", "gguf", "modelfile"):
        if key in result:
            print(f"{key.replace('_', ' ')}: {result[key]}")
    if "pushed" in result:
        print(f"pushed {result['pushed']['files']} files to {result['pushed']['url']}")


def register(sub) -> None:
    e = sub.add_parser("export", help="export a run: adapter zip or merged model (+ push to the hub)")
    e.add_argument("--run", required=True, help="run id (see `studio runs`)")
    what = e.add_mutually_exclusive_group(required=True)
    what.add_argument("--adapter-zip", metavar="FILE", help="write the adapter (PEFT files + model card) as a zip")
    what.add_argument("--merged", metavar="DIR", help="write a merged full model (loads without peft)")
    what.add_argument("--gguf", metavar="DIR", help="write the merged model as one .gguf + an Ollama Modelfile "
                                                     "(llama.cpp, Ollama, LM Studio)")
    e.add_argument("--gguf-type", default="f16", choices=list(gguf.GGUF_TYPES), help="GGUF weights (default f16)")
    e.add_argument("--dtype", default="auto", choices=["auto", "bf16", "fp16", "fp32"],
                   help="merged weights: auto = bf16 where supported, else fp32")
    e.add_argument("--device", default="cpu", choices=["cpu", "cuda", "auto"],
                   help="where to merge (cpu keeps a training GPU free)")
    e.add_argument("--overwrite", action="store_true", help="replace an existing file or folder")
    e.add_argument("--push", metavar="REPO", help="also upload to the hub repo owner/name (private unless --public)")
    e.add_argument("--public", action="store_true", help="make a newly created hub repo public")
    e.add_argument("--token-env", default=DEFAULT_TOKEN_ENV, metavar="NAME",
                   help=f"environment variable holding the hub token (default {DEFAULT_TOKEN_ENV})")
    e.add_argument("--json", action="store_true")
    e.set_defaults(func=cmd_export)
    i = sub.add_parser("import-adapter", help="import a PEFT LoRA adapter (folder or .zip) as a run")
    i.add_argument("path")
    i.add_argument("--name", help="a label for the run id")
    i.add_argument("--model", help="the base model (default: the one named in adapter_config.json)")
    i.add_argument("--json", action="store_true")
    i.set_defaults(func=cmd_import)
