"""Words that carry no topic in English and Russian questions and documents.

Russian words are listed as lemmas (the analyser compares both the word and its
lemma), so ``мне``/``меня`` are covered by ``я``. Words that do point at a topic in
a front desk's documents stay out of the lists even when they are frequent:
``стоить`` (price), ``отменить`` (cancellation), ``cost``, ``cancel``.
"""

from __future__ import annotations


def _wordlist(text: str) -> frozenset[str]:
    return frozenset(text.split())


ENGLISH: frozenset[str] = _wordlist(
    """
    a about above after again against all also am an and any are aren't as at be because been before
    being below between both but by can can't cannot could couldn't did didn't do does doesn't doing
    don't down during each either else ever few for from further get gets got had hadn't has hasn't have
    haven't having he her here hers herself him himself his how i if in into is isn't it it's its itself
    just let let's many me might more most much must mustn't my myself need no nor not now of off on once only or
    other ought our ours ourselves out over own please same shall she should shouldn't so some such than
    thank thanks that that's the their theirs them themselves then there there's these they this those
    through to too under until up us very want was wasn't we were weren't what what's when where which
    while who whom why will with won't would wouldn't yes you your yours yourself yourselves hi hello hey
    ok okay s t d ll m re ve y im dont cant pls plz u ur
    """
)

RUSSIAN: frozenset[str] = _wordlist(
    """
    а без более бы быть в вам вас весь во вот вы где да даже для до его ее если есть еще же за здесь и
    из или им их к как какой какая какие каков ко когда кто ли либо мой можно мочь мы на надо наш не
    него нее нет ни но ну о об однако он она они оно от очень по под при про раз с свой себя сейчас со
    так также такой там те тем то тогда того тоже той только том тот ту тут ты у уже хотеть хотя чего
    чей чем что чтобы чуть эта эти это этот я вообще ведь вроде либо нибудь нужно нужный пожалуйста делать
    спасибо здравствуйте привет подсказать подскажите скажите сказать добрый ладно
    который которая которые какой-то что-то кто-то бывать просто вдруг ага угу ой ещё её всё
    """
)


def is_stopword(word: str) -> bool:
    """Whether `word` (lowercased, a word or a lemma) is a stopword in either language."""
    return word in ENGLISH or word in RUSSIAN
