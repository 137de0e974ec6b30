"""Segment descriptions: distinctive keywords, distinct clean names, examples that belong."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from segkit.describe import auto_names, describe_segments, segment_keywords
from segkit.describe.examples import review_scorer
from segkit.describe.keywords import keyword_scores
from segkit.describe.naming import is_blocked, name_words
from segkit.describe.representative import ranked_members, segment_margins

TOPIC_WORDS = {
    0: "guitar strings pedals capo tuner fret",
    1: "pizza crust pepperoni oven slice dough",
    2: "hotel room pool suite lobby checkout",
}
EVEN = "good great place product love".split()


def _topic_frame(n_per: int = 30, seed: int = 0) -> tuple[list[str], np.ndarray]:
    """Three topics; every text also holds the same generic words, in every segment alike."""
    rng = np.random.default_rng(seed)
    texts, labels = [], []
    for segment, words in TOPIC_WORDS.items():
        words = words.split()
        for _ in range(n_per):
            topical = rng.choice(words, size=3, replace=False)
            generic = rng.choice(EVEN, size=4, replace=True)
            texts.append(" ".join([*topical, *generic]))
            labels.append(segment)
    return texts, np.array(labels)


def test_evenly_spread_words_do_not_lead_keywords():
    texts, labels = _topic_frame(n_per=60)
    keywords = segment_keywords(texts, labels, top_n=5)
    for segment, terms in keywords.items():
        top_words = {w for term, _ in terms[:3] for w in term.split()}
        assert top_words <= set(TOPIC_WORDS[segment].split()), (segment, terms)
        assert not top_words & set(EVEN)
    # By raw frequency the generic words would lead (each is in about half the texts);
    # by distinctiveness every topic word of a segment beats every generic word there.
    scores = keyword_scores(texts, labels)
    for row, segment in enumerate(scores.segments):
        topic = min(scores.z[row, scores.index[w]] for w in TOPIC_WORDS[segment].split())
        generic = max(scores.z[row, scores.index[w]] for w in EVEN)
        assert topic > generic, (segment, topic, generic)


def test_keywords_prefer_a_phrase_that_carries_its_word():
    texts = ["customer service slow", "customer service rude", "customer service great"] * 8 + \
        ["fresh bread daily", "fresh croissant daily", "bread oven warm"] * 8
    labels = np.array([0] * 24 + [1] * 24)
    terms = [t for t, _ in segment_keywords(texts, labels, top_n=4)[0]]
    assert "customer service" in terms
    assert "customer" not in terms and "service" not in terms  # no word twice with its phrase


def test_names_share_no_word_and_never_mirror():
    # Every segment's top keywords are built from the same four words (what yelp looked like).
    keywords = {
        0: [("good", 9.0), ("food", 8.0), ("tacos", 3.0)],
        1: [("place", 9.0), ("good", 8.5), ("patio", 3.0)],
        2: [("great", 9.0), ("food", 7.0), ("sushi", 2.0)],
        3: [("food", 9.5), ("place", 8.0), ("burgers", 2.5)],
    }
    names = auto_names(keywords)
    words = [name_words(n) for n in names.values()]
    for a, b in itertools.combinations(words, 2):
        assert not a & b, names
    assert len(set(names.values())) == 4
    # The word goes to the segment it sets apart most; the other falls back to its next term.
    assert "Food" in names[3] or names[3].startswith("Food")
    assert "food" not in names[0].lower() and "food" not in names[2].lower()


def test_names_fold_plurals_and_read_as_phrases():
    keywords = {0: [("guitar strings", 9.0), ("pedals", 8.0)], 1: [("guitars", 8.0), ("capo", 6.0)]}
    names = auto_names(keywords)
    assert names[0] == "Guitar strings & pedals"
    assert "guitar" not in names[1].lower()  # "guitars" is the same word as "guitar"
    assert name_words("Sandwiches & subs") == {"sandwich", "sub"}


def test_profanity_never_appears_in_a_name():
    for term in ["fucking", "f***ing", "sh#t", "bullshit", "asshole", "motherfucker", "retards",
                 "他妈的", "傻逼", "卧槽 太", "操"]:
        assert is_blocked(term), term
    for term in ["glass", "bass guitar", "class", "scunthorpe", "操作", "classic", "shiitake", "cocktail"]:
        assert not is_blocked(term), term
    names = auto_names({0: [("f***ing", 20.0), ("pizza", 9.0), ("shitty", 8.0), ("crust", 7.0)],
                        1: [("傻逼", 9.0), ("客服", 8.0), ("操", 7.5), ("退款", 7.0)]})
    assert names[0] == "Pizza & crust"
    assert names[1] == "客服·退款"


def test_renames_win_over_automatic_names():
    texts, labels = _topic_frame()
    users = pd.DataFrame({"user_id": [f"u{i}" for i in range(len(texts))]})
    matrix = np.eye(3)[labels] + np.random.default_rng(0).normal(0, 0.1, (len(texts), 3))
    summary = describe_segments(users, texts, matrix, labels, np.ones(len(texts)), names={1: "Pizza lovers"})
    assert summary.names[1] == "Pizza lovers"
    assert summary.names[0] != "Pizza lovers"


def test_density_ties_are_broken_by_margin_not_row_order():
    rng = np.random.default_rng(1)
    # Segment 0: 200 members, all with probability 1.0. The first 100 rows sit next to
    # segment 1 (small margin); the far ones are deep in segment 0.
    near = rng.normal([1.6, 0.0], 0.1, size=(100, 2))
    far = rng.normal([-1.0, 0.0], 0.1, size=(100, 2))
    other = rng.normal([3.0, 0.0], 0.1, size=(100, 2))
    matrix = np.vstack([near, far, other])
    labels = np.array([0] * 200 + [1] * 100)
    confidence = np.ones(len(labels))
    ranked = ranked_members(matrix, labels, confidence, density_based=True)
    margins = segment_margins(matrix, labels)
    assert all(i >= 100 for i in ranked[0][:20])  # the far members, not rows 0, 1, 2...
    assert margins[ranked[0][0]] == margins[labels == 0].max()
    # A clearly higher probability still comes first.
    confidence[5] = 1.0
    confidence[100:200] = 0.8
    assert ranked_members(matrix, labels, confidence, density_based=True)[0][0] < 100


def test_examples_are_distinct_and_best_matching_review():
    texts, labels = _topic_frame(n_per=20)
    # Everyone's first review is the same generic one, their second is about their topic;
    # half the guitar users wrote the very same second review.
    for i in range(len(texts)):
        second = "Great strings and a quiet tuner" if labels[i] == 0 and i % 2 else texts[i]
        texts[i] = "Good product, love it\n" + second
    users = pd.DataFrame({"user_id": [f"u{i}" for i in range(len(texts))]})
    matrix = np.eye(3)[labels] + np.random.default_rng(0).normal(0, 0.1, (len(texts), 3))
    summary = describe_segments(users, texts, matrix, labels, np.ones(len(texts)), n_examples=5)
    shown = summary.representative_texts[0]
    assert len(shown) == 5
    assert len({s.lower() for s in shown}) == len(shown)  # no duplicates
    assert all("Good product" not in s for s in shown), shown  # the guitar review, not the first one
    scorer = review_scorer(keyword_scores(texts, labels))
    assert scorer(0, "Good product, love it\nNew strings on the tuner")[0] == "New strings on the tuner"
    assert scorer(0, "one review only") == ("one review only", 0.0)


def test_masked_profanity_stays_one_token_and_out_of_names():
    texts = ["the f***ing pizza crust was burnt"] * 6 + ["hotel room pool was clean"] * 6
    labels = np.array([0] * 6 + [1] * 6)
    keywords = segment_keywords(texts, labels, top_n=10)
    terms = [t for t, _ in keywords[0]]
    assert any("f***ing" in t for t in terms) and "ing" not in terms  # one masked token, not "ing"
    names = auto_names(keywords)
    assert "*" not in names[0] and "f" not in name_words(names[0])
