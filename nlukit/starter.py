"""A new bot project to start from: ``nlukit init mybot`` (a small café-order bot).

The project holds patterns, dictionaries, a scenario file with a confirmation question,
conversation tests, and a README with the commands that make a working bot of it::

    mybot/
      patterns/cafe.txt     dicts/menu.csv  dicts/options.csv
      scenarios.toml        stories.toml    README.md

It is written to a temporary sibling and renamed into place, so an error leaves nothing,
and an existing non-empty folder is never written into.
"""
from __future__ import annotations

import os
import shlex
import shutil

from .errors import InputError
from .files import new_folder

__all__ = ["create_project", "shell_path", "TEMPLATE"]

TEMPLATE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates", "starter")

README = """# {name}: 카페 주문 봇

`nlukit init`으로 만든 시작용 프로젝트입니다. 패턴(`patterns/`), 사전(`dicts/`), 시나리오
(`scenarios.toml`), 대화 테스트(`stories.toml`)를 고쳐서 나만의 봇을 만드세요.

```bash
cd {path}
nlukit generate patterns/ dicts/ -o data --force                 # 학습 데이터 만들기
nlukit train data -o model --force --include-test                # 학습 (test 분할까지 가르침)
nlukit chat model --scenarios scenarios.toml --stories stories.toml   # 대화 테스트
nlukit chat model --scenarios scenarios.toml                      # 직접 대화해 보기
nlukit serve model --scenarios scenarios.toml                     # REST와 웹 채팅 (http://127.0.0.1:8000/)
nlukit serve model --scenarios scenarios.toml --log logs/turns.jsonl   # 대화 기록을 남기고
nlukit review logs/turns.jsonl                                     # 못 알아들은 말을 모아 보기
```

- 카카오톡 채널 연결: `NLUKIT_KAKAO_TOKEN=비밀값 nlukit serve model --scenarios scenarios.toml`로 띄우고,
  카카오 i 오픈빌더의 스킬 URL을 `https://내서버/kakao/skill?token=비밀값`으로 등록해 폴백 블록에 연결하세요.
  사용자마다 대화가 따로 이어지고, 고를 수 있는 값은 바로가기 버튼(quickReplies)으로 나옵니다.

- 패턴 문법: `@의도` 머리줄, `{{슬롯}}`, `{{슬롯:역할}}`, `(가|나|)` 선택, `은/는` 같은 조사 쌍,
  `[텍스트](슬롯)` 주석 예문. 오류는 `파일:줄:열`로 알려 줍니다.
- 사전을 바꾼 뒤에는 `nlukit retrain model --dicts dicts/ --stories stories.toml --scenarios scenarios.toml`:
  새 모델이 예전 모델보다 나쁘거나, 예전에 통과하던 대화 테스트를 깨면 `current`를 옮기지 않습니다.
- 시나리오 키 전체 설명: nlukit 저장소의 `docs/scenarios.md`.
"""


def shell_path(path: str) -> str:
    """``path`` as typed in a shell: quoted when it holds a space or another special character.

    >>> shell_path("mybot"), shell_path("my bot")
    ('mybot', "'my bot'")
    """
    if os.name == "nt":
        return f'"{path}"' if any(c in path for c in ' &()^%!;,') else path
    return shlex.quote(path)


def create_project(path: str | os.PathLike[str]) -> list[str]:
    """Write the starter project into the new folder ``path``; return the files written."""
    path = os.fspath(path)
    if not path.strip():
        raise InputError("the project folder is empty; name a new folder: nlukit init mybot")
    if not os.path.isdir(TEMPLATE):
        raise InputError(f"the starter template is missing from this installation ({TEMPLATE}); "
                         "reinstall nlukit")
    with new_folder(path, prefix=".nlukit-init-") as root:
        shutil.copytree(TEMPLATE, root, dirs_exist_ok=True)
        name = os.path.basename(os.path.normpath(path))
        with open(os.path.join(root, "README.md"), "w", encoding="utf-8") as fh:
            fh.write(README.format(name=name, path=shell_path(path)))
    return sorted(os.path.relpath(os.path.join(d, f), path) for d, _, fs in os.walk(path) for f in fs)
