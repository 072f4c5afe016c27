"""Content of the local test web: realistic company sites and the awkward cases a crawler meets."""

from __future__ import annotations

ACME_ROBOTS = """\ufeffUser-agent: *
Disallow: /private
Allow: /private/press-kit
Sitemap: http://acme.test/sitemap.xml

User-agent: AMIA-Research
Noindex-hint: ignored
Disallow: /internal
"""

NAV = """<nav><a href="/">Home</a> <a href="/about">About us</a> <a href="/team">Leadership</a>
<a href="/careers">Careers</a> <a href="/customers">Customers</a> <a href="/pricing">Pricing</a>
<a href="/news">Newsroom</a> <a href="/private/secret">Partner portal</a>
<a href="https://www.linkedin.com/company/acme">LinkedIn</a></nav>"""


def page(title: str, body: str, head: str = "") -> str:
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="generator" content="WordPress 6.5">
<script src="https://www.googletagmanager.com/gtag/js?id=G-123"></script>
<script src="//js.hs-scripts.com/1234.js"></script>
<script src="https://js.stripe.com/v3/"></script>
<link rel="alternate" type="application/rss+xml" href="/feed.xml" title="Acme news">
{head}</head><body><header>{NAV}</header><main>{body}</main>
<footer><p>© 2026 Acme Analytics GmbH, Torstraße 1, Berlin</p></footer></body></html>"""


ACME_HOME = page(
    "Acme Analytics – Real-time risk analytics for fintech",
    """<h1>Real-time risk analytics for fintech teams</h1>
<p>Acme Analytics helps banks, lenders and payment companies detect fraud and credit risk in real time.
Our platform scores millions of transactions every day for customers across Europe and North America.</p>
<p>Trusted by more than 300 finance teams, from fast-growing startups to listed banks.</p>""",
)

ACME_ABOUT = page(
    "About Acme Analytics",
    """<h1>About us</h1>
<p>Founded in 2015 in Berlin, Acme Analytics builds risk software for the financial services industry.</p>
<p>Today we are a team of 240 employees with offices in Berlin, London and New York.</p>
<p>We are a fintech and SaaS company backed by leading investors.</p>""",
)

ACME_TEAM = page(
    "Leadership team – Acme Analytics",
    """<h1>Our leadership team</h1>
<div class="person"><h3>Jane Doe</h3><p class="title">Chief Executive Officer</p></div>
<div class="person"><h3>John Smith</h3><p class="title">CTO &amp; Co-founder</p></div>
<div class="person"><h3>Priya Raman</h3><p class="title">VP Marketing</p></div>
<div class="person"><h3>Tom Becker</h3><p class="title">Head of Sales</p></div>""",
)

ACME_TEAM_AFTER = page(
    "Leadership team – Acme Analytics",
    """<h1>Our leadership team</h1>
<div class="person"><h3>Jane Doe</h3><p class="title">Chief Executive Officer</p></div>
<div class="person"><h3>John Smith</h3><p class="title">CTO &amp; Co-founder</p></div>
<div class="person"><h3>Maria Lopez</h3><p class="title">VP Marketing</p></div>
<div class="person"><h3>Tom Becker</h3><p class="title">Head of Sales</p></div>""",
)

ACME_CAREERS = page(
    "Careers at Acme Analytics",
    """<h1>Join us – 12 open positions</h1>
<p>We are hiring across engineering, sales and marketing.</p>
<ul><li><a href="/careers/senior-backend-engineer">Senior Backend Engineer (Python)</a></li>
<li><a href="/careers/data-engineer">Data Engineer</a></li>
<li><a href="/careers/account-executive">Account Executive, DACH</a></li>
<li><a href="/careers/product-marketing-manager">Product Marketing Manager</a></li></ul>""",
)

ACME_CUSTOMERS = page(
    "Customers – Acme Analytics",
    """<h1>Customers who trust Acme</h1>
<div class="logos"><img src="/l/1.png" alt="Globex Bank logo"><img src="/l/2.png" alt="Initech Payments">
<img src="/l/3.png" alt="Umbrella Lending"></div>
<h2>Case study: How Globex Bank cut fraud losses by 40%</h2>
<a href="https://www.globexbank.test/">Globex Bank</a>""",
)

ACME_PRICING = page("Pricing – Acme Analytics", "<h1>Pricing</h1><p>Starter, Growth and Enterprise plans.</p>")

ACME_NEWS = page(
    "Newsroom – Acme Analytics",
    """<h1>Newsroom</h1><ul>
<li><a href="/news/series-b">Acme Analytics raises $30 million Series B</a></li>
<li><a href="/news/paris-office">Acme opens Paris office</a></li></ul>""",
)

ACME_SERIES_B = page(
    "Acme Analytics raises $30 million Series B led by Example Ventures",
    """<article><h1>Acme Analytics raises $30 million Series B led by Example Ventures</h1>
<p class="date">March 3, 2026</p>
<p>BERLIN, March 3, 2026 – Acme Analytics, the real-time risk analytics platform for fintech teams, today
announced that it has raised $30 million in Series B funding led by Example Ventures, with participation from
Seedcamp Partners and existing investors.</p>
<p>The company will use the new capital to expand its engineering team and grow in North America.</p>
<p>Acme Analytics also announced the appointment of Maria Lopez as Chief Financial Officer. Lopez joins from
Globex Bank, where she led finance for the payments division.</p>
<p>“This round lets us double down on product,” said Jane Doe, CEO of Acme Analytics.</p>
<p>The company does not plan to raise again before 2028.</p></article>""",
    head='<meta property="article:published_time" content="2026-03-03T09:00:00Z">',
)

ACME_PARIS = page(
    "Acme opens Paris office",
    """<article><h1>Acme opens Paris office</h1><p class="date">June 10, 2026</p>
<p>Acme Analytics today announced the opening of a new office in Paris to serve customers in France.</p>
<p>Acme Analytics will also exhibit at Money20/20 Europe in Amsterdam, booth B42.</p></article>""",
    head='<meta property="article:published_time" content="2026-06-10T08:00:00Z">',
)

ACME_SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>http://acme.test/</loc></url>
<url><loc>http://acme.test/about</loc></url>
<url><loc>http://acme.test/news/series-b</loc><lastmod>2026-03-03</lastmod></url>
<url><loc>http://acme.test/internal/roadmap</loc></url>
</urlset>"""

ACME_FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Acme news</title><link>http://acme.test/news</link>
<item><title>Acme opens Paris office</title><link>http://acme.test/news/paris-office</link>
<pubDate>Wed, 10 Jun 2026 08:00:00 GMT</pubDate></item>
<item><title>Acme Analytics raises $30 million Series B</title><link>http://acme.test/news/series-b</link>
<pubDate>Tue, 03 Mar 2026 09:00:00 GMT</pubDate></item>
</channel></rss>"""

JS_PAGE = """<!DOCTYPE html><html><head><title>Beta Robotics</title></head><body><div id="app"></div>
<script>
document.getElementById('app').innerHTML = '<h1>Beta Robotics</h1><p>' +
  'Beta Robotics builds warehouse automation robots for logistics companies across Europe. ' +
  'Founded in 2019, the company employs 85 people in Munich and Warsaw. ' +
  'Our autonomous picking arms work alongside people in more than forty fulfilment centres.</p>';
setTimeout(function () {
  var p = document.createElement('p'); p.id = 'late';
  p.textContent = 'Beta Robotics today announced a partnership with Initech Logistics to deploy picking arms.';
  document.getElementById('app').appendChild(p);
}, 200);
</script></body></html>"""

GARBAGE = "<<html><body<<p>>>\x00\x01 <div <span>>>> &&&;; </tbody></table></html>>>"
