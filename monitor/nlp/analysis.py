"""The Analyzer facade: language check, topic and tone with scores and readable reasons, never raising.

analyzer = Analyzer.load()                     # explicit; loads + warms the shipped models once
analyzer.analyse(title, text)                  # one article, with the occlusion reason
analyzer.analyse_many(docs, explain=mask)      # batch fast path; reasons by occlusion only where asked
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from monitor import vocab
from monitor.errors import AnalysisError
from monitor.nlp import lexicon
from monitor.nlp.classify import BODY_CAP, LinearTextModel, model_views, warm
from monitor.nlp.guard import Budget, safe_call
from monitor.nlp.lang import detect_language
from monitor.nlp.roles import Role, police_role
from monitor.timefmt import fmt_decimal

TOPICS, TONES = vocab.TOPICS, vocab.TONES
MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
RAW_CAP = 50_000  # raw chars looked at (HTML can hide the text behind markup); the model reads BODY_CAP
RULE_SCORE = 0.85  # confidence we give a lexicon rule that overrides the model
# Below this score a police topic needs one of its cue words in the title/lead, else the article is
# `khac`: on short, unrelated headlines (ads, markets, celebrities) the model otherwise guesses a crime topic.
CUE_GUARD = 0.5
# An unsure "neutral" from the tone model yields to clear critical vocabulary (the weak-labelling rule:
# tieu_cuc cues, title x2 + lead, >= 2, no police action in the title). 0.7 was chosen on the dev set.
NEUTRAL_DOUBT, CUE_TONE_SCORE = 0.7, 0.6
FOREIGN_TONE_SCORE = 0.5  # "not judged": a text in another language gets no tone from Vietnamese models
FOREIGN_TONE_REASON = "Chưa đánh giá sắc thái: bài không viết bằng tiếng Việt ({language}), cần người đọc"
# Confidence given to the police-role rules (roles.py): who does what to whom in the title and lead.
ROLE_SCORE = {
    "victim": 0.7,
    "abuse": 0.85,
    "misconduct": 0.85,
    "corruption": 0.7,
    "action": 0.6,
    "advice": 0.6,
}
# Police topics an officials'-corruption story was read as: the role rule moves it to tham_nhung.
CORRUPTION_FROM = ("an_ninh_trat_tu", "lua_dao", "khac")
# An unsure `khac` yields to a police topic whose cue words weigh at least KHAC_CUES in title (x3) + lead:
# real crime reports in words the model has seen too rarely ("Nổ bom tự tạo, 3 người bị thương").
KHAC_DOUBT, KHAC_CUES, CUE_TOPIC_SCORE = 0.55, 2.0, 0.5
LANG_NAMES = {"en": "en", "unknown": "không xác định"}
_LOAD_LOCK = threading.Lock()


@dataclass(frozen=True)
class Prediction:
    """One label with a 0..1 confidence and a Vietnamese reason an officer can read."""

    label: str
    score: float
    reason: str


@dataclass(frozen=True)
class Analysis:
    """The outcome for one article; `skipped` says why topic/tone are missing."""

    language: str
    topic: Prediction | None
    tone: Prediction | None
    skipped: str | None
    model_version: str


def _quote(terms: Sequence[str]) -> str:
    return ", ".join(f'"{t}"' for t in terms)


class Analyzer:
    """Topic/tone analysis with the shipped (or given) models; thread-safe after load()."""

    def __init__(
        self, topic: LinearTextModel, tone: LinearTextModel, version: str, *, budget_s: float = 1.0
    ) -> None:
        self.topic_model, self.tone_model, self.version = topic, tone, version
        self.budget_s = budget_s  # per article; reasons are dropped first when time runs short

    @classmethod
    def load(cls, models_dir: Path | None = None, *, budget_s: float = 1.0) -> Analyzer:
        """Load topic.bin, tone.bin and manifest.json, and warm the models under a lock."""
        d = models_dir or MODELS_DIR
        try:
            with _LOAD_LOCK:
                manifest = json.loads((d / "manifest.json").read_text(encoding="utf-8"))
                version = str(manifest["version"])
                topic = LinearTextModel.load(d / "topic.bin")
                tone = LinearTextModel.load(d / "tone.bin")
                warm([topic, tone])
        except (OSError, ValueError, KeyError, TypeError) as exc:  # missing, truncated or not ours
            raise AnalysisError(
                f"Thư mục mô hình {d} không dùng được (thiếu hoặc hỏng manifest.json, topic.bin, tone.bin). "
                "Kiểm tra --models / MONITOR_MODELS_DIR, hoặc huấn luyện lại bằng monitor train.",
                detail=f"models: cannot load {d}: {type(exc).__name__}: {exc}",
            ) from None
        return cls(topic, tone, version, budget_s=budget_s)

    def analyse(self, title: str, text: str) -> Analysis:
        """Analyse one article, with the occlusion reason; never raises."""
        return self.analyse_many([(title, text)], explain=True)[0]

    def analyse_many(
        self,
        docs: Sequence[tuple[str, str]],
        *,
        explain: bool | Sequence[bool] = False,
        always: bool | Sequence[bool] = False,
        focus: Sequence[str] | None = None,
    ) -> list[Analysis]:
        """Analyse a batch; `explain` (one flag or one per doc) asks for occlusion reasons.

        `always` (one flag or one per doc) analyses a text whatever its language (the language is still
        recorded): the pipeline sets it for articles that mention a watched target, which must never be
        dropped for being written in English or without diacritics. `focus` (one string per doc) holds the
        sentences around the article's mentions: the police's role there weighs more than in the lead.
        """
        budget = Budget(self.budget_s * max(1, len(docs)))
        flags = [explain] * len(docs) if isinstance(explain, bool) else list(explain)
        forced = [always] * len(docs) if isinstance(always, bool) else list(always)
        near = list(focus) if focus is not None else [""] * len(docs)
        out: list[Analysis | None] = [None] * len(docs)
        todo: list[tuple[int, str, str, str, str, str]] = []  # index, lang, title, body, topic/tone text
        for i, doc in enumerate(docs):
            prepared, err = safe_call(functools.partial(self._prepare, doc, forced[i]))
            if err:
                out[i] = self._skip("unknown", f"Lỗi phân tích: {err}")
            elif isinstance(prepared, Analysis):
                out[i] = prepared
            else:
                assert prepared is not None
                todo.append((i, *prepared))
        preds = self._predict([t[4] for t in todo], [t[5] for t in todo])
        for (i, lang, title, body, mt, mo), topic, tone in zip(todo, *preds):
            explain = flags[i] and not budget.spent()
            result, err = safe_call(
                functools.partial(self._finish, title, body, (mt, mo), topic, tone, explain, lang, near[i])
            )
            out[i] = result if result else self._skip("vi", f"Lỗi phân tích: {err}")
        return [a if a else self._skip("unknown", "Lỗi phân tích: không có kết quả") for a in out]

    # -- steps -------------------------------------------------------------------------------
    def _skip(self, language: str, why: str) -> Analysis:
        return Analysis(language, None, None, why, self.version)

    def _prepare(
        self, doc: tuple[str, str], always: bool = False
    ) -> Analysis | tuple[str, str, str, str, str]:
        title, text = (doc[0] or "")[:2000], (doc[1] or "")[:RAW_CAP]
        # Markup can hide the article behind kilobytes of tags: only then clean the long raw prefix.
        raw = text if "<" in text[:BODY_CAP] else text[: BODY_CAP + 500]
        title, body = lexicon.clean(title), lexicon.clean(raw)
        if not any(ch.isalpha() for ch in title + body):
            return self._skip("unknown", "Văn bản rỗng")
        lang = detect_language(title + " " + body)
        if lang != "vi" and not always:
            return self._skip(lang, f"Không phải tiếng Việt ({LANG_NAMES.get(lang, lang)})")
        return (lang, title, body, *model_views(title, body, cleaned=True))

    def _predict(
        self, topic_texts: list[str], tone_texts: list[str]
    ) -> tuple[list[tuple[str, float] | str | None], list[tuple[str, float] | str | None]]:
        """Batch prediction; if the batch fails, retry one by one so a bad text fails alone."""
        res, err = safe_call(
            lambda: (self.topic_model.predict_many(topic_texts), self.tone_model.predict_many(tone_texts))
        )
        if res:
            return list(res[0]), list(res[1])
        topics: list[tuple[str, float] | str | None] = []
        tones: list[tuple[str, float] | str | None] = []
        for t, o in zip(topic_texts, tone_texts):
            one, err = safe_call(functools.partial(self._predict_one, t, o))
            topics.append(one[0] if one else err)
            tones.append(one[1] if one else err)
        return topics, tones

    def _predict_one(self, topic_text: str, tone_text: str) -> tuple[tuple[str, float], tuple[str, float]]:
        return self.topic_model.predict_many([topic_text])[0], self.tone_model.predict_many([tone_text])[0]

    def _finish(
        self,
        title: str,
        body: str,
        texts: tuple[str, str],
        topic: tuple[str, float] | str | None,
        tone: tuple[str, float] | str | None,
        explain: bool,
        lang: str = "vi",
        focus: str = "",
    ) -> Analysis:
        if not isinstance(topic, tuple) or not isinstance(tone, tuple):  # the error text of a failed batch
            return self._skip("vi", f"Lỗi phân tích: {topic if not isinstance(topic, tuple) else tone}")
        t_label, t_score = topic
        lead = lexicon.norm(title + " " + body[:300])
        if lang == "vi":
            tone_pred = self._tone(title, body, lead, texts[1], t_label, tone, explain)
        else:
            # The tone model, the vocabulary and the role rules read Vietnamese: on another language their
            # verdict is noise (not worth computing), and a foreign article that names the unit is for a
            # person to read.
            name = LANG_NAMES.get(lang, lang)
            tone_pred = Prediction(
                "trung_tinh", FOREIGN_TONE_SCORE, FOREIGN_TONE_REASON.format(language=name)
            )
        # The role rules cost ~50 us: read them where tone matters (a mention) or the story may be police news.
        concerns = lang == "vi" and (
            bool(focus)
            or t_label != "khac"
            or t_score < KHAC_DOUBT
            or bool(lexicon.find_cues(lead, lexicon.POLICE))
        )
        role = police_role(title, body, focus) if concerns else None
        if role:
            tone_pred = self._role_tone(role, tone_pred)
            if role.kind in ("corruption", "abuse") and t_label in CORRUPTION_FROM:
                return Analysis(
                    lang,
                    Prediction("tham_nhung", ROLE_SCORE[role.kind], role.reason),
                    tone_pred,
                    None,
                    self.version,
                )
        if (
            t_label != "khac"
            and t_score < CUE_GUARD
            and not lexicon.find_cues(lexicon.norm(title + " " + body[:600]), lexicon.TOPIC_CUES[t_label])
        ):
            why = f'Độ tin cậy thấp ({fmt_decimal(t_score)}) và không có từ khóa của chủ đề "{vocab.label(t_label)}"'
            return Analysis(
                lang, Prediction("khac", round(1.0 - t_score, 3), why), tone_pred, None, self.version
            )
        if t_label == "khac" and t_score < KHAC_DOUBT:
            scores = lexicon.topic_scores(title, body)
            best = max(scores, key=lambda k: scores[k])
            if scores[best] >= KHAC_CUES:
                cues = lexicon.find_cues(lexicon.norm(title + " " + body[:1500]), lexicon.TOPIC_CUES[best])
                why = (
                    f"Từ khóa của chủ đề: {_quote(cues[:3])} (mô hình nghiêng về Khác {fmt_decimal(t_score)})"
                )
                return Analysis(lang, Prediction(best, CUE_TOPIC_SCORE, why), tone_pred, None, self.version)
        topic_pred = Prediction(
            t_label, t_score, self._reason(self.topic_model, texts[0], t_label, lead, explain)
        )
        return Analysis(lang, topic_pred, tone_pred, None, self.version)

    def _tone(
        self,
        title: str,
        body: str,
        lead: str,
        tone_text: str,
        t_label: str,
        tone: tuple[str, float],
        explain: bool,
    ) -> Prediction:
        """The tone of a Vietnamese article: the model's, unless a vocabulary rule or critical cues say more."""
        o_label, o_score = tone
        ruled = lexicon.rule_tone(lead, lexicon.norm(title))
        critical = (
            self._critical_cues(title, body, t_label)
            if o_label == "trung_tinh" and o_score < NEUTRAL_DOUBT
            else []
        )
        if ruled and o_label != ruled[0]:
            return Prediction(ruled[0], RULE_SCORE, ruled[1])
        if critical:
            why = f"Từ ngữ tiêu cực: {_quote(critical[:3])} (mô hình nghiêng về trung tính {fmt_decimal(o_score)})"
            return Prediction("tieu_cuc", CUE_TONE_SCORE, why)
        why = ruled[1] if ruled else self._reason(self.tone_model, tone_text, o_label, lead, explain)
        return Prediction(o_label, max(o_score, RULE_SCORE) if ruled else o_score, why)

    @staticmethod
    def _role_tone(role: Role, current: Prediction) -> Prediction:
        """Tone toward the unit from the police's role: victims are not criticised; agents of harm are.

        The model and the vocabulary rules read the article's mood; the role says whom it is about. A
        victim role only takes criticism away, an action only turns a neutral positive.
        """
        if role.kind in ("victim", "advice") and current.label == "tieu_cuc":
            return Prediction("trung_tinh", ROLE_SCORE[role.kind], role.reason)
        if role.kind in ("abuse", "misconduct", "corruption") and (
            current.label != "tieu_cuc" or role.kind != "corruption"
        ):
            return Prediction("tieu_cuc", ROLE_SCORE[role.kind], role.reason)
        if role.kind == "action" and current.label == "trung_tinh":
            return Prediction("tich_cuc", ROLE_SCORE["action"], role.reason)
        return current

    @staticmethod
    def _critical_cues(title: str, body: str, topic: str = "") -> list[str]:
        t, b = lexicon.norm(title), lexicon.norm(body[:300])
        if lexicon.find_cues(t, lexicon.ACTION):
            return []
        neg = lexicon.TONE_CUES["tieu_cuc"]
        if topic == "chay_no_cuu_nan":  # "34 người chết và mất tích" after a flood blames no one
            neg = tuple(c for c in neg if c not in lexicon.DISASTER_WORDS)
        if 2 * lexicon.count_cues(t, neg) + lexicon.count_cues(b, neg) < 2:
            return []
        return list(dict.fromkeys(lexicon.find_cues(t, neg) + lexicon.find_cues(b, neg)))

    @staticmethod
    def _reason(model: LinearTextModel, mt: str, label: str, lead: str, explain: bool) -> str:
        if explain:
            terms, _err = safe_call(lambda: model.explain(mt, label))
            if terms:
                return f"Từ nổi bật: {_quote(terms)}"
        cues = lexicon.find_cues(lead, lexicon.TOPIC_CUES.get(label) or lexicon.TONE_CUES.get(label, ()))
        if cues:
            return f"Từ khóa: {_quote(cues[:3])}"
        return "Mô hình thống kê (không có từ khóa nổi bật)"
