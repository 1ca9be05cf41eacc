"""The members' proposals of news in the layout and the moderation's signal receivers
(filled by the proposals' work)."""
