# ruff: noqa: E501  (regular expressions read better unbroken)
"""Signal rules for German, French and Spanish news, one per signal type, applied to a single sentence.

Same contract as rules.py (RuleHit per event, precision first). Word order differs (German puts the verb last, "schloss
… aus" denies), so a hedge or negation anywhere in the sentence blocks it, not just in the clause before the trigger.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from knowledge.signals.rules import PERSON, RuleHit, _person_ok
from knowledge.signals.text import find_money

_I = re.IGNORECASE
_CAPWORD = r"[A-ZÄÖÜÀ-Ý][\w&'’.+-]*"

# ---- hedges and negations (whole sentence) -----------------------------------------------------------------

_HEDGE_DE = r"plan(?:t|en|te)|geplant|erwäg\w*|prüf(?:t|en)|soll(?:en)?|könnt\w*|würde\w*|möglich\w*|angeblich|gerücht\w*|medienberichte?n?|berichten zufolge|verhandl\w*|verhandelt|gespräche?n?|ziel\b|wollen"
_HEDGE_FR = r"envisag\w*|pourrai\w*|serai\w*|rumeurs?|selon des|selon les|en discussions?|négoci\w*|souhait\w*|compte\s+\w+er\b|objectif|projet de|potentiel\w*|éventuel\w*"
_HEDGE_ES = r"plane\w*|podría\w*|estaría\w*|negoci\w*|conversaciones|rumor\w*|según fuentes|objetivo|estudia\b|contempla\w*|posible\w*|busca\s+empleo"
HEDGE = re.compile(rf"\b(?:{_HEDGE_DE}|{_HEDGE_FR}|{_HEDGE_ES})\b", _I)
NEGATION = re.compile(
    r"\b(?:nicht|kein\w*|nie|dementi\w*|dementier\w*|ausgeschlossen|ausdrücklich aus|wehrt sich|"  # de
    r"ne|pas|aucun\w*|jamais|dément\w*|exclu\w*|abandonn\w*|gel[ée]\w*|"  # fr
    r"no|niega\w*|ningun\w*|ningún|nunca|descart\w*|rechaz\w*|congel\w*)\b|\bn['’]",  # es
    _I,
)
BACKGROUND = re.compile(r"\b(?:im Jahr|en el año|en l'an)\s+(?:19|20)\d\d\b|\bprécédemment\b|\bzuvor\b", _I)


def _ok(sentence: str, *, allow_hedge: bool = False) -> bool:
    if sentence.rstrip().endswith("?") or NEGATION.search(sentence) or BACKGROUND.search(sentence):
        return False
    return allow_hedge or not HEDGE.search(sentence)


def _money_attrs(sentence: str) -> dict[str, Any]:
    money = find_money(sentence)
    if not money:
        return {}
    return {"amount": money[0].amount, "currency": money[0].currency, "amount_text": money[0].text}


# ---- funding -----------------------------------------------------------------------------------------------

FUNDING_VERB = re.compile(
    r"\b(?:sammel\w*\s+\S+(?:\s+\S+){0,5}?\s+ein|eingesammelt|einsammeln|erh(?:ält|ielt|alten)|sicher(?:t|te)\s+sich|gesichert|"
    r"abgeschlossen|schlie(?:ß|ss)t\b.{0,80}\bab|investier(?:t|en|te)|"
    r"l[èe]ve|lev[ée]e?s?|boucle|boucl[ée]|obtient|obtenu|réalis[ée]|annonce\s+une\s+levée|"
    r"recauda|recaudó|levanta|levantó|cierra|cerrado|cerró|obtiene|obtuvo|consigue|consiguió|anuncia\s+una\s+inversión)\b",
    _I,
)
FUNDING_NOUN = re.compile(
    r"\b(?:finanzierung\w*|runde|wagniskapital|kapital|investor\w*|seed|series|serie|série|levée|tour de table|fonds|"
    r"ronda|financiación|financiamiento|inversión|semilla|capital)\b|\b(?:investier|sammel|eingesammel|l[èe]ve|lev[ée]|recaud|levant)",
    _I,
)
ROUND = re.compile(r"\b(?:Series|Serie|Série)[- ]([A-H])\b|\b(Seed|semilla|Pre-Seed|amorçage)\b", _I)
NOT_FUNDING = re.compile(
    r"\b(?:umsatz|chiffre d'affaires|facturación|preis\w*|prix|precios?|spende\w*|don\b|donación)\b", _I
)


def funding(sentence: str) -> list[RuleHit]:
    verb = FUNDING_VERB.search(sentence)
    money = _money_attrs(sentence)
    rnd = ROUND.search(sentence)
    if not verb or not (money or rnd) or not FUNDING_NOUN.search(sentence) or NOT_FUNDING.search(sentence):
        return []
    if not _ok(sentence):
        return []
    attrs = dict(money)
    if rnd:
        letter = rnd.group(1)
        attrs["round"] = f"Series {letter.upper()}" if letter else "Seed"
    key = f"{attrs.get('round', '')}|{round(attrs.get('amount', 0) / 1e5)}"
    return [RuleHit("funding", 0.85 if money and rnd else 0.8 if money else 0.7, attrs, key)]


# ---- acquisition -------------------------------------------------------------------------------------------

ACQ = re.compile(
    r"\b(?:übernimmt|übernahm|übernommen|kauft|kaufte|gekauft|erwirbt|erwarb|erworben|"
    r"Übernahme\s+(?:des|der|von)\b.{0,60}\b(?:abgeschlossen|vollzogen)|"
    r"rach[eè]te|rachet[ée]e?|acquiert|a\s+acquis|finalisé\s+l['’]acquisition|l['’]acquisition\s+de|"
    r"adquiere|adquirió|ha\s+adquirido|compra|compró|ha\s+comprado|la\s+compra\s+de|la\s+adquisición\s+de)\b"
    r"(?P<after>.{0,80})",
    _I,
)
NOT_ACQ = re.compile(
    r"\b(?:position|posten|rolle|leitung|vorsitz|amt|verantwortung|fonctions|poste|cargo|presidencia)\b|"
    r"\b(?:kunden|neukunden|clients?|clientes|compétences|habilidades|skills|usuarios)\b",
    _I,
)


def acquisition(sentence: str) -> list[RuleHit]:
    m = ACQ.search(sentence)
    if not m:
        return []
    participle = re.match(
        r"(?i)übernommen|gekauft|erworben|rachet[ée]e?|a\s+acquis|ha\s+(?:adquirido|comprado)", m.group(0)
    )
    if not m or NOT_ACQ.search(sentence) or not (participle or re.search(_CAPWORD, m.group("after"))):
        return []
    if not _ok(sentence):
        return []
    attrs = _money_attrs(sentence)
    target = re.search(rf"((?:{_CAPWORD}[ -]?){{1,3}})", m.group("after"))
    if target:
        attrs["target"] = target.group(1).strip()
    return [RuleHit("acquisition", 0.8, attrs, (attrs.get("target") or "acq").lower())]


# ---- leadership change -------------------------------------------------------------------------------------

ROLE = re.compile(
    r"\b(?:CEO|CFO|CTO|COO|CMO|CRO|CPO|CIO|Chief\s+\w+\s+Officer|"
    r"Vorstandsvorsitzende[rn]?|Vorstandschef(?:in)?|Finanzvorst(?:and|ändin)|Vorstand|Geschäftsführer(?:in)?|Finanzchef(?:in)?|Aufsichtsratschef(?:in)?|Vorsitzende[rn]?|"
    r"PDG|directeur\s+général|directrice\s+générale|directeur\s+financier|directrice\s+financière|président(?:e)?\s+(?:du\s+conseil|directeur\s+général)|président(?:e)?|"
    r"consejer[oa]\s+delegad[oa]|director(?:a)?\s+general|director(?:a)?\s+financier[oa]|presidente?\s+ejecutiv[oa]|presidenta?)\b",
    _I,
)
LEAD_VERB = re.compile(
    r"\b(?:ernannt|ernennt|beruft|berufen|wird\s+neue[rn]?|übernimmt\b.{0,40}\b(?:Position|Posten|Rolle|Leitung|Vorsitz)|zurückgetreten|tritt\s+zurück|verlässt|scheidet\b.{0,30}\baus|folgt\s+auf|"
    r"nomme|nommé|nommée|rejoint\b.{0,40}\ben\s+tant\s+que|quitte\s+ses\s+fonctions|démissionn\w+|succède|prend\s+la\s+tête|devient|"
    r"nombra|nombrado|nombrada|ha\s+nombrado|se\s+incorpora\b.{0,40}\bcomo|dimite|dimitió|renuncia|sustituye|asume\s+(?:el\s+cargo|como))\b",
    _I,
)
LEFT = re.compile(r"zurück|verlässt|scheidet|quitte|démission|dimit|renuncia", _I)


_ACTIVE_APPOINT = re.compile(r"(?i)nombra|ha\s+nombrado|nomme|a\s+nommé|ernennt|beruft")
_NOT_NAME = {"Die", "Der", "Das", "Le", "La", "Les", "El", "Los", "Las", "Banco", "Groupe", "Grupo"}


def _appointee(sentence: str, verb: re.Match[str]) -> str:
    """The person a leadership sentence is about: after an active 'nombra/nomme/ernennt', else the nearest name
    before the verb ('Astrid Arndt … ernannt', 'Marie Lefèvre rejoint …')."""

    def names(text: str) -> list[str]:
        return [n for n in re.findall(PERSON, text) if _person_ok(n) and n.split()[0] not in _NOT_NAME]

    if _ACTIVE_APPOINT.match(verb.group(0)):
        after = names(sentence[verb.end() :])
        if after:
            return after[0]
    before = names(sentence[: verb.start()])
    return before[-1] if before else next(iter(names(sentence[verb.end() :])), "")


def leadership_change(sentence: str) -> list[RuleHit]:
    verb = LEAD_VERB.search(sentence)
    role = ROLE.search(sentence)
    if not verb or not role or not _ok(sentence):
        return []
    attrs: dict[str, Any] = {"role": role.group(0), "direction": "left" if LEFT.search(verb.group(0)) else "joined"}
    person = _appointee(sentence, verb)
    if person:
        attrs["person"] = person
    return [RuleHit("leadership_change", 0.75, attrs, f"{attrs.get('person', role.group(0))}|{attrs['direction']}")]


# ---- hiring ------------------------------------------------------------------------------------------------

HIRING = re.compile(
    r"\bwir\s+stellen\s+ein\b|\bstell(?:t|en)\b.{0,80}\bein\b|\beinstellen\b|\bStellenangebot\b|\((?:m/w/d|w/m/d|m/f/d|H/F|F/H|h/m|m/f)\)|"
    r"\brecrut(?:e|ons|er|era|ent|ement)\b|\bembauch(?:e|er|era|ons)\b|\bnous\s+recherchons\s+(?:un|une)\b|\boffre\s+d['’]emploi\b|\bpostes?\s+ouverts?\b|"
    r"\bcontrat(?:amos|ando|ará|arán|a|ar)\b|\bbuscamos\s+(?:un|una)\b|\boferta\s+de\s+empleo\b|\bincorporar\s+[\d.]+\b|\bnuevos\s+empleados\b|"
    r"\b(?:Team|Teams|Belegschaft|Mannschaft)\b.{0,60}\b(?:verdoppeln|verdreifachen|vergrößern|ausbauen|erweitern|aufstocken)\b|"
    r"\b(?:doubler|tripler|renforcer|agrandir)\s+(?:ses|son|leurs?)\s+(?:effectifs|équipes?)\b|\b(?:duplicar|triplicar|ampliar|reforzar)\s+(?:su|sus)\s+(?:plantilla|equipos?)\b",
    _I,
)
NOT_HIRING = re.compile(
    r"Einstellungsstopp|gel[ée] les embauches|congelado las contrataciones|recherche d['’]emploi|busca empleo|suchen eine neue herausforderung|"
    r"\bstellt\b.{0,60}\b(?:Betrieb|Produktion|Verkauf|Dienst)\b.{0,20}\bein\b",
    _I,
)


def hiring(sentence: str) -> list[RuleHit]:
    m = HIRING.search(sentence)
    if not m or NOT_HIRING.search(sentence) or not _ok(sentence, allow_hedge=True):
        return []
    attrs: dict[str, Any] = {}
    count = re.search(
        r"([\d.]{1,7})\s+(?:\w+\s+){0,2}?(?:Mitarbeite\w*|Beschäftigte\w*|Stellen|Jobs|Arbeitsplätze|Ingenieur\w*|Entwickler\w*|"
        r"personnes|postes|ingénieurs|développeurs|salariés|collaborateurs|emplois|personas|empleados|puestos|ingenieros|trabajadores)\b",
        sentence,
        _I,
    )
    if count:
        digits = count.group(1).replace(".", "")
        if digits.isdigit():
            attrs["count"] = int(digits)
    return [RuleHit("hiring", 0.75 if attrs else 0.7, attrs, "hiring")]


# ---- product launch ----------------------------------------------------------------------------------------

LAUNCH = re.compile(
    r"\b(?:stell(?:t|en)\b.{1,60}\bvor\b(?!\s+allem)|vorgestellt|präsentier(?:t|te|en)|bringt\b.{1,60}\bauf\s+den\s+Markt|auf\s+den\s+Markt\s+gebracht|gestartet|führt\b.{1,60}\bein\b|eingeführt|"
    r"lance|lancé|dévoile|dévoilé|a\s+présenté|présente|commercialise|annonce\s+le\s+lancement|"
    r"lanza|ha\s+lanzado|lanzó|presenta|presentó|ha\s+presentado|estrena|estrenó)\b",
    _I,
)
PRODUCT_HINT = re.compile(
    rf"\b(?:neue[nsmr]?|nouvel(?:le)?|nouveau|nueva?o?s?|KI-\w+|app|plattform|plateforme|plataforma|offre|oferta|tarifa|assistant|asistente)\b|\b\d+\.\d+\b|{_CAPWORD}\s+{_CAPWORD}",
    _I,
)
NOT_LAUNCH = re.compile(
    r"^\s*(?:Test|Analyse|Análisis|Review|Kritik)\s*:|\b(?:enquête|investigación|untersuchung|ermittlung\w*|campagne|kampagne|campaña|"
    r"ergebnisse|résultats|resultados|zahlen|bilanz|bericht|rapport|informe|levée|recauda|ronda|finanzierung)\b",
    _I,
)


def product_launch(sentence: str) -> list[RuleHit]:
    m = LAUNCH.search(sentence)
    if not m or NOT_LAUNCH.search(sentence) or not PRODUCT_HINT.search(sentence):
        return []
    if re.search(r"\bstartet\s+(?:damit\s+)?in\b", sentence, _I) or not _ok(sentence):
        return []
    after = sentence[m.end() :]
    product = re.search(rf"((?:{_CAPWORD}[ -]?){{1,4}})", after)
    attrs = {"product": product.group(1).strip(" ,.")} if product else {}
    return [RuleHit("product_launch", 0.7, attrs, (attrs.get("product") or "product").lower())]


# ---- partnership -------------------------------------------------------------------------------------------

PARTNER = re.compile(
    r"\b(?:partnerschaft|kooperier(?:t|en)|kooperation\s+mit|arbeite(?:t|n)\b.{0,40}\bzusammen|zusammenarbeit\s+mit|(?:eine|die|der|strategische|neue)\s+allianz|joint\s+venture|"
    r"partenariat|s['’]associe|s['’]allie|alliance|collabor\w+\s+avec|co-entreprise|"
    r"alianza|se\s+alía|acuerdo\s+de\s+colaboración|colabora\s+con|asociación\s+con)\b",
    _I,
)
NOT_PARTNER = re.compile(r"\b(?:sucht|recherchons|buscamos)\b|\b(?:vertriebspartner|partenaires|socios)\b", _I)


def partnership(sentence: str) -> list[RuleHit]:
    m = PARTNER.search(sentence)
    if not m or NOT_PARTNER.search(sentence) or not _ok(sentence):
        return []
    partner = re.search(
        rf"\b(?:mit|avec|con|à|a)\s+(?:(?:le|la|les|l['’]|el|dem|der)\s*)?((?:{_CAPWORD}[ -]?){{1,3}})",
        sentence[m.start() :],
    )
    attrs = {"partner": partner.group(1).strip()} if partner else {}
    return [RuleHit("partnership", 0.75, attrs, (attrs.get("partner") or "partner").lower())]


# ---- expansion ---------------------------------------------------------------------------------------------

_SITE = r"(?:Büro|Standort|Niederlassung|Werk|Fabrik|Filialen?|Rechenzentrum|Hub|Zentrale|Lager|Zentrum|bureau|magasin|usine|site|siège|centre|agence|filiale|boutique|oficina|tienda|centro|sede|planta|fábrica|almacén)"
EXPAND = re.compile(
    r"\b(?:eröffne(?:t|te|n)|expandier(?:t|te)\s+nach|startet\s+(?:damit\s+)?in|markteintritt|"
    r"ouvre|ouvert|inaugur[ée]|inaugure|s['’]implante|s['’]installe|débarque|arrive\s+en|"
    r"abre|abrió|inaugura|inauguró|desembarca|aterriza|entra\s+en\s+el\s+mercado|se\s+expande)\b",
    _I,
)
EXPAND_OBJECT = re.compile(
    rf"\b{_SITE}\b|\b(?:nach|en|in|au|aux|a)\s+(?:{_CAPWORD})|\bmercado\b|\bmarché\b|\bMarkt\b",
    _I,
)


def expansion(sentence: str) -> list[RuleHit]:
    m = EXPAND.search(sentence)
    if not m or not EXPAND_OBJECT.search(sentence[m.start() :]) or not _ok(sentence):
        return []
    place = re.search(rf"\b(?:in|nach|à|au|en|a)\s+((?:{_CAPWORD})(?:\s+{_CAPWORD})?)", sentence[m.start() :])
    attrs: dict[str, Any] = {"kind": "office" if re.search(_SITE, sentence, _I) else "market"}
    if place:
        attrs["location"] = place.group(1)
    return [RuleHit("expansion", 0.75, attrs, (attrs.get("location") or "expansion").lower())]


# ---- layoffs -----------------------------------------------------------------------------------------------

_JOBS = r"(?:Stellen|Arbeitsplätze|Jobs|Mitarbeite\w*|Beschäftigte\w*|postes|emplois|salariés|employés|empleos|empleados|puestos|trabajadores|plantilla)"
LAYOFF = re.compile(
    rf"\b(?:streich(?:t|en|e)\b.{{0,60}}\b{_JOBS}|{_JOBS}\s+(?:\w+\s+)?(?:abbauen|streichen)|(?:baut|bauen)\b.{{0,60}}\b{_JOBS}\s+ab\b|Stellenabbau|Abbau\s+von\b.{{0,30}}\b{_JOBS}|entlässt|Entlassungen|Kündigungswelle|"
    rf"supprim\w*\b.{{0,40}}\b{_JOBS}|suppression\s+de\b.{{0,40}}\b{_JOBS}|plan\s+social|plan\s+de\s+départs|licenci\w+|"
    rf"despid\w+|despedirá|\bERE\b|recort\w+\b.{{0,40}}\b{_JOBS}|suprim\w+\b.{{0,40}}\b{_JOBS}|eliminar[áa]\b.{{0,40}}\b{_JOBS})",
    _I,
)


def layoffs(sentence: str) -> list[RuleHit]:
    m = LAYOFF.search(sentence)
    if (
        not m
        or not _ok(sentence, allow_hedge=True)
        or re.search(r"\b(?:könnte|pourrait|podría|envisag\w*|erwäg\w*)\b", sentence, _I)
    ):
        return []
    attrs: dict[str, Any] = {}
    pct = re.search(r"(\d+(?:,\d+)?)\s*(?:%|Prozent|pour\s*cent|por\s+ciento)", sentence, _I)
    if pct:
        attrs["percent"] = float(pct.group(1).replace(",", "."))
    count = re.search(rf"(\d{{1,3}}(?:[. \u00a0]\d{{3}})+|\d+)\s+(?:\w+\s+)?{_JOBS}", sentence, _I)
    if count:
        attrs["count"] = int(re.sub(r"\D", "", count.group(1)))
    return [RuleHit("layoffs", 0.8 if attrs else 0.7, attrs, "layoffs")]


# ---- event participation -----------------------------------------------------------------------------------

_EVENT = rf"(?P<event>(?:{_CAPWORD}|\d{{4}})(?:\s+(?:{_CAPWORD}|&|du|de|del|des|\d{{4}})){{0,5}})"
EVENT = re.compile(
    rf"\b(?:besuchen\s+sie\s+uns|treffen\s+sie\s+uns|aussteller|vortrag|keynote|vertreten|stand|halle|präsentier\w*|"
    rf"retrouvez-nous|rendez-nous\s+visite|nous\s+serons\s+présents?|interviendra|exposant|participera|"
    rf"visítanos|estaremos|participará|ponente|expositor)\b.{{0,60}}?"
    rf"\b(?:auf\s+der|auf\s+dem|beim|bei\s+der|au\s+salon|au|à\s+la|à|lors\s+de\s+la\s+conférence|lors\s+de|en\s+el|en\s+la|en)\s+{_EVENT}",
    _I,
)
EVENT_AT_START = re.compile(rf"^\s*(?:Auf\s+der|Auf\s+dem|Au\s+salon|Lors\s+de|En\s+el|En\s+la)\s+{_EVENT}", _I)
EVENT_WORD = re.compile(
    r"\b(?:messe|salon|summit|congress|kongress|congreso|conférence|konferenz|conferencia|expo|forum|foro|world|week|feria|fair|show|days|mobility|(?:19|20)\d\d)\b",
    _I,
)


def event_participation(sentence: str) -> list[RuleHit]:
    m = EVENT.search(sentence)
    if m is None:
        m = EVENT_AT_START.search(sentence)
        if m is None or not re.search(
            r"\b(?:präsentier\w*|stellt|zeigt|présent\w*|dévoil\w*|present\w*|lanz\w*)\b", sentence, _I
        ):
            return []
    event = m.group("event").strip(" ,.")
    if not EVENT_WORD.search(event) or not _ok(sentence, allow_hedge=True):
        return []
    role = (
        "exhibitor"
        if re.search(r"stand|halle|aussteller|exposant|expositor|booth", sentence, _I)
        else ("speaker" if re.search(r"vortrag|keynote|interviendra|ponente", sentence, _I) else "attendee")
    )
    return [RuleHit("event_participation", 0.75, {"event": event, "role": role}, event.lower())]


INTL_RULES: tuple[Callable[[str], list[RuleHit]], ...] = (
    funding,
    acquisition,
    leadership_change,
    hiring,
    product_launch,
    partnership,
    expansion,
    layoffs,
    event_participation,
)
