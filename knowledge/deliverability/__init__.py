"""Deliverability: render outreach as real RFC 5322 mail, parse any mail back, score it with SpamAssassin."""
