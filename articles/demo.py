"""Demo content: the conversation Parley was built for, in our own words."""

REFERENCE_SLUG = "social-media-experts-why-organizations-need-them"

ARTICLES = [
    {
        "slug": "hiring-a-social-media-expert",
        "title": "Hiring a Social Media Expert: What to Look For",
        "standfirst": "A title on a business card proves nothing. Here is how to tell "
        "a practitioner from a self-promoter before you sign the contract.",
        "body": """
<p>Once an organisation accepts that it needs real expertise to run its digital
channels, the next problem arrives quickly: almost everyone now describes
themselves as an expert. The label costs nothing to claim.</p>
<h2>Ask for evidence, not adjectives</h2>
<p>Good candidates show you work they did for organisations like yours, explain
what failed as readily as what succeeded, and can tell you which numbers they
watched and why. Follower counts alone are not a track record.</p>
<h2>Test for context</h2>
<p>Give a candidate a real situation from your organisation and listen for
questions before answers. Someone who asks about your customers, your approval
process and your staff's time understands that tools serve a strategy.</p>
<ul>
<li>What would you stop doing in our current channels, and why?</li>
<li>Who inside our organisation would you need on your side?</li>
<li>How will we know in six months whether this worked?</li>
</ul>
<p>Hire for judgement first. Platforms change every year; judgement does not.</p>
""",
    },
    {
        "slug": "managing-social-media-initiatives",
        "title": "Managing Social Media Initiatives Without Losing the Plot",
        "standfirst": "Pilots become programmes, programmes become habits. A few "
        "management practices keep the work tied to what the organisation needs.",
        "body": """
<p>Most social media initiatives do not fail on launch day. They fade: the
enthusiasm of the first month gives way to a channel nobody owns and a
calendar nobody follows.</p>
<h2>Name an owner and a purpose</h2>
<p>Every channel needs one person accountable for it and one sentence that says
why it exists. If you cannot write that sentence, close the channel.</p>
<h2>Review like any other programme</h2>
<p>Put the initiative on the same review cycle as the rest of your operations.
Look at outcomes you agreed in advance, not at whatever metric looks best this
quarter.</p>
<blockquote><p>Treat the conversation as part of the service, not as
advertising for it.</p></blockquote>
<p>Finally, budget for listening. Replying to people well takes more time than
publishing to them, and it is where most of the value is.</p>
""",
    },
    {
        "slug": REFERENCE_SLUG,
        "title": "Social Media Experts: Why Organizations Need Them",
        "standfirst": "Going it alone with social media looks cheap and easy. The "
        "record of failed do-it-yourself efforts says otherwise.",
        "body": """
<p>Every organisation now has a presence on social platforms, and many of them
built it themselves: an enthusiastic volunteer, a spare afternoon, a few
accounts opened in the organisation's name. It feels like a problem that
needs no specialist, because the tools are free and everybody uses them at
home.</p>
<p>Using a tool personally and deploying it for an organisation are different
skills. An organisation has goals, audiences, legal duties and a reputation to
protect; its messages have to be approved, its replies have to be consistent,
and its mistakes are public and permanent.</p>
<h2>Where do-it-yourself efforts go wrong</h2>
<p>The pattern repeats across sectors. Accounts are opened without a purpose,
fed for a few weeks and then abandoned. Criticism arrives and nobody knows who
should answer it. Campaigns are measured by whatever number is easiest to find.
The organisation concludes that social media "does not work for us", when what
failed was the way it was managed.</p>
<h2>What an expert brings</h2>
<p>A genuine expert combines knowledge of the platforms with an understanding of
how organisations make decisions. They know what each channel is good at, what
it costs to run well, and how to connect it to the work the organisation
already does. Just as important, they know when a channel is the wrong answer.</p>
<h2>Who should read this</h2>
<p>This is written for leaders who suspect their digital efforts are
underperforming but are not sure why. The technology is not the hard part; the
judgement about how to use it is. That judgement is worth paying for, and the
follow-up articles below explain how to hire it and how to manage the work once
it begins.</p>
""",
    },
]

GUNTHER_COMMENT = """I will probably lose some friends over this, but here goes: I have sat in meetings with a great many self-described "social media experts", and I cannot think of one who understood the organisation in front of them or what it actually needed. I have worked with organisations of every size, and anyone advising them today already understands social tools reasonably well. The real question is how to use them to solve problems that matter, in ways that scale.

What you need is someone who knows the business or the domain and who also understands technology, information systems, organisational change and growth, and how those pieces fit together. Sometimes you need specialists, such as an information architect or a community manager, once you know what the problem really is. Social media does not teach you context; experience in the field does, and so does asking better questions.

"Social media" describes a set of ways to find and spread information. It is not a discipline in its own right, which is why the "social media expert" is mostly a myth."""

AUTHOR_REPLY = """Thank you for such a considered comment, Gunther. I don't think we disagree as much as it might seem. As you say, succeeding with digital work takes many kinds of expertise. Knowing the platforms without understanding the organisation is of limited use, but so is understanding the organisation without knowing how the platforms behave.

The article was aimed at leaders who underestimate how hard it is to use these tools well. We have watched many of them try to do it themselves and fail, in small ways and large, because nobody understood how the tools should be deployed and managed.

I have since written about <a href="{hiring_url}">hiring social media experts</a> and about <a href="{managing_url}">managing social media initiatives</a>. I suspect you will find we think along very similar lines."""


def author_reply(link_for):
    """Return the author's reply, linking the follow-up articles; `link_for(slug)` gives each address."""
    return AUTHOR_REPLY.format(
        hiring_url=link_for("hiring-a-social-media-expert"),
        managing_url=link_for("managing-social-media-initiatives"),
    )


PENDING_COMMENT = """Useful piece. Our charity tried the do-it-yourself route last year and abandoned two accounts within months. Would you treat a small volunteer-run organisation differently from a large one when deciding whether to bring in outside help?"""
