"""What a handful of the owner's decisions teach the default model.

Usage: python bench/owner_labels.py

The corpora are YouTube comments and SMS texts; a blog's readers quote prices, link their
own write-ups and ask the author to share code, which those corpora call spam.  This trains
the default model twice, on the shipped corpora alone and with a dozen owner decisions
(source "owner", as `modq train` reads them from the database: approved = ham, marked
spam = spam), and prints the comment threshold and the scores of new comments like them
(none of which is among the decisions).  The decisions are written for this benchmark, not
taken from a real blog: they show the mechanism, not an accuracy.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from classifier.datasets import CommentInput, LabelledComment, shipped_corpora  # noqa: E402
from classifier.model import SpamModel  # noqa: E402
from classifier.training import train  # noqa: E402

APPROVED = [
    "I pay $5 a month for the smallest droplet and it is plenty for this.",
    "Hosting this on a $10 VPS works fine for me, thanks for the guide.",
    "The $35 board handled it, though slowly.",
    "We budget about $200 a year for the domain and the server.",
    "I wrote about the same problem on my blog: https://alice.example/2025/sqlite-locks",
    "My notes from trying this: https://bob-writes.example/notes/wal",
    "Here is my fork with the fix: https://code.example/carol/modq-fix",
    "Could you share the code for the second example?",
    "Please share the benchmark script, I'd like to run it on ARM.",
    "Thanks for sharing, this saved me hours.",
]
MARKED_SPAM = [
    "Great post! Visit my site for cheap essays https://essays-cheap.example",
    "Nice article, I also recommend https://casino-bonus.example for extra income",
]
NEW_COMMENTS = [
    "I pay $20 a month for a small VPS and it runs this fine.",
    "It cost me $15 to try this on a cloud box.",
    "I tried this too and wrote it up here: https://dave.example/posts/try-modq",
    "Thanks for the post. Could you share the code?",
    "Good read. Also check my casino bonus page https://casino-bonus2.example",
]


def main() -> None:
    warnings.filterwarnings("ignore")
    corpora = shipped_corpora(include_pilot=False)
    owner = ([LabelledComment(body=t, label=0, source="owner") for t in APPROVED]
             + [LabelledComment(body=t, label=1, source="owner") for t in MARKED_SPAM])
    results = {}
    for name, rows in (("corpora only", corpora), ("+ owner decisions", corpora + owner)):
        trained = train(rows)
        model = SpamModel(trained.pipeline, trained.metadata)
        scores = model.score([CommentInput(body=t) for t in NEW_COMMENTS])
        results[name] = (model.spam_threshold, [s.spam_score for s in scores])
    names = list(results)
    print(f"{'comment':76s} " + " ".join(f"{n:>18s}" for n in names))
    print(f"{'(comment spam threshold)':76s} "
          + " ".join(f"{results[n][0]:18.3f}" for n in names))
    for i, text in enumerate(NEW_COMMENTS):
        print(f"{text[:76]:76s} " + " ".join(f"{results[n][1][i]:18.3f}" for n in names))


if __name__ == "__main__":
    main()
