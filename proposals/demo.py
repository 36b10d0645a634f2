"""Demo proposals, comments, comment votes and supports for ``seed_demo`` (idempotent, fast: bulk writes).

The parks consultation gets a rich discussion: every demo resident belongs to one of three
opinion camps (more play equipment / keep quiet green space / safety first) and votes on
comments consistently with it, so vote-based opinion groups are meaningful.
Supports come from resident4..resident20 only and stay well under each consultation's limit,
so resident1..3 (used by the contract smoke test) always have supports and proposals left.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from participation.core import consultations

PARKS = {
    "play": [
        ("中央公園に幼児向けの遊具を増やしてほしい", "中央公園の遊具は小学生向けが中心で、2〜3歳の子が安心して遊べるものがありません。低い滑り台や砂場の屋根があると助かります。"),
        ("インクルーシブ遊具を一つでも設置してください", "車いすの子も一緒に遊べるブランコや回転遊具を、せめて市内に一か所は設けてほしいです。他市の事例も参考にしてください。"),
        ("ボール遊びができる時間帯を決めてほしい", "ほとんどの公園でボール遊びが禁止されています。平日の夕方だけでもよいので、ボール遊びができる時間とエリアを決めてもらえませんか。"),
        ("南町公園の古いジャングルジムを更新してください", "さびが目立ち、子どもが手を切りそうで心配です。"),
        ("水遊びができる噴水広場がほしい", "夏の暑さが厳しく、近くに水遊びできる場所がありません。じゃぶじゃぶ池のような施設を検討してください。"),
        ("中学生が使えるスケートボード広場", "中学生・高校生の居場所が公園にありません。騒音に配慮した場所でスケートボードやバスケットができる広場を作ってほしいです。"),
        ("遊具の近くに保護者用のベンチを", "子どもを見守りながら座れるベンチが遊具から遠く、ずっと立っていることになります。日陰のベンチがあると高齢の祖父母も助かります。"),
    ],
    "green": [
        ("西町緑地の雑木林をそのまま残してください", "再整備で木が切られると聞きました。鳥や虫が多く、静かに散歩できる貴重な場所です。遊具より自然を優先してほしいです。"),
        ("公園に静かなエリアを設けてほしい", "読書や休憩ができる静かな場所がほしいです。遊具エリアと分けてゾーニングしてください。"),
        ("花壇の手入れを住民ボランティアで", "地域の花壇づくりに参加したい住民は多いと思います。苗や道具を市が用意し、ボランティアで手入れする仕組みを作ってください。"),
        ("木陰を増やすため植樹を", "夏は日陰がなく公園が使えません。広葉樹を計画的に植えて木陰を増やしてください。"),
        ("芝生広場を減らさないでください", "芝生でのんびりできる広場は子どもにも大人にも大切です。駐車場や施設で芝生を減らさないでほしいです。"),
        ("落ち葉を堆肥にして花壇に使う", "落ち葉を焼却せず、公園内で堆肥にして花壇に戻す循環を作れば、環境学習にもなります。"),
    ],
    "safety": [
        ("公園の照明をLEDにして明るく", "夜の公園が暗く、通り抜けが怖いです。特に東町公園の北側は街灯がほとんどありません。"),
        ("防災倉庫とかまどベンチの設置", "災害時の避難場所になる公園に、防災倉庫、かまどベンチ、マンホールトイレを整備してください。"),
        ("見通しの良い植栽に", "植え込みが高く、外から中が見えない場所があります。防犯のため見通しを良くしてほしいです。"),
        ("公園に防犯カメラを設置してほしい", "夜間のいたずらや落書きが増えています。入口に防犯カメラを設置してください。プライバシーへの配慮も必要です。"),
        ("AEDを公園のトイレ付近に", "運動する人が多い公園にはAEDを設置し、場所が分かるよう表示してください。"),
        ("遊具の安全点検結果を公開して", "点検の結果と修理の予定をウェブで公開してもらえると安心できます。"),
        ("避難経路の案内板を多言語で", "外国人住民も増えています。公園の避難場所の案内板を日本語・英語・やさしい日本語で表示してください。"),
    ],
    "rules": [
        ("犬の散歩マナーの看板を", "フンの放置が目立ちます。看板の設置と、リードの着用を呼びかけてほしいです。"),
        ("ドッグランを一か所作ってほしい", "犬を自由に走らせられる場所がないため、ルールを守らない人が出ています。柵で囲ったドッグランを検討してください。"),
        ("公園でのバーベキューのルールを明確に", "バーベキューの煙やごみで困っています。できる場所とできない場所をはっきりさせてください。"),
        ("公園のトイレを洋式・バリアフリーに", "和式トイレが残っていて、高齢者や子ども連れには使いにくいです。"),
        ("キッチンカーのイベントを公園で", "週末にキッチンカーが来ると公園がにぎわいます。出店ルールを作って定期的に開催してほしいです。"),
    ],
}
PARK_PLACES = ["中央公園", "北町公園", "南町公園", "東町公園", "西町緑地", "駅前広場", "川沿い公園", "みどりの森公園"]

BUS = {
    "routes": [
        ("市民病院への直通便を", "北町から市民病院まで乗り換えなしで行ける便がほしいです。高齢の通院者が多く、乗り換えが大きな負担です。"),
        ("新しい住宅地を路線に加えて", "東町の新しい住宅地にはバス停がなく、駅まで徒歩25分かかります。"),
        ("循環ルートを逆回りも運行して", "一方向の循環なので、帰りに1時間近く乗ることになります。逆回りの便を作ってください。"),
        ("図書館と市役所を結ぶ路線", "図書館と市役所の間に便がなく、手続きと借り物を一度に済ませられません。"),
    ],
    "timetable": [
        ("朝の通勤時間帯の増便を", "7時台の便が1本しかなく、満員で乗れないことがあります。"),
        ("夜の最終便を遅くしてください", "最終便が19時台で、仕事帰りに使えません。21時台まで運行してほしいです。"),
        ("土日も平日と同じ本数に", "土日は本数が半分になり、買い物や通院に不便です。"),
        ("駅の電車の時刻に合わせたダイヤ", "電車の到着直後にバスが出てしまい、20分待つことがあります。"),
    ],
    "stops": [
        ("バス停にベンチと屋根を", "雨の日や夏の暑い日に待つのがつらいです。特に高齢者の多い停留所に優先して設置してください。"),
        ("ノンステップバスの導入", "車いすやベビーカーで乗れる車両を増やしてほしいです。"),
        ("バスの接近情報をスマホで", "バスがどこにいるか分かるアプリやウェブがあると便利です。紙の時刻表も残してください。"),
        ("停留所の名前を分かりやすく", "似た名前の停留所が多く、初めての人が迷います。"),
    ],
    "fares": [
        ("高齢者の運賃割引を", "70歳以上の運賃を割り引いてほしいです。外出の機会が増え、健康にもつながります。"),
        ("ICカードを使えるように", "現金しか使えず、両替に時間がかかります。交通系ICカードに対応してください。"),
        ("子ども連れの運賃を無料に", "未就学児と一緒の保護者の運賃を無料にすると子育て世帯が外出しやすくなります。"),
    ],
}

CHILDCARE = {
    "nursery": [
        ("保育園の待機児童対策を", "4月入園以外はほとんど入れません。年度途中の受け入れ枠を増やしてください。"),
        ("一時保育の予約をオンラインで", "電話でしか予約できず、つながりにくいです。ウェブで空き状況を見て予約できるようにしてほしいです。"),
        ("病児保育の施設を増やして", "子どもが熱を出したときに預けられる場所が市内に1か所しかありません。"),
        ("保育士の処遇改善", "保育士の人手不足が深刻です。市独自の手当で処遇を改善してください。"),
    ],
    "afterschool": [
        ("学童保育の時間延長を", "学童が18時で終わり、仕事が間に合いません。19時まで延長してください。"),
        ("学童で宿題を見てもらえる仕組み", "地域の大学生や退職した先生の協力で、宿題を見てもらえると助かります。"),
        ("夏休みの学童に昼食の提供を", "毎日お弁当を作るのが大変です。夏休み期間だけでも昼食を提供してほしいです。"),
    ],
    "support": [
        ("子育て相談を夜間や土日にも", "平日の昼間は働いていて相談に行けません。オンラインや土日の相談窓口を作ってください。"),
        ("父親向けの子育て講座", "父親が参加しやすい土曜日の講座を増やしてほしいです。"),
        ("子育て情報を一つのサイトにまとめて", "手当、健診、保育の情報があちこちに分かれていて探しにくいです。"),
    ],
    "play": [
        ("雨の日に遊べる屋内の遊び場", "雨の日に子どもを遊ばせる場所がありません。児童館を増やすか、公共施設の空きスペースを活用してください。"),
        ("図書館に子ども向けのおはなし会を増やして", "図書館のおはなし会が月1回だけです。週末にも開催してほしいです。"),
    ],
}

ENGLISH_NOTES = {
    "中央公園に幼児向けの遊具を増やしてほしい": "More play equipment for toddlers in Central Park: low slides and a shaded sandpit.",
    "防災倉庫とかまどベンチの設置": "Emergency storage, cooking benches and manhole toilets in parks that serve as evacuation sites.",
    "西町緑地の雑木林をそのまま残してください": "Please keep the Nishimachi woodland as it is: a quiet place for birds, insects and walks.",
    "市民病院への直通便を": "A direct bus from Kitamachi to the City Hospital, without changing buses.",
    "夜の最終便を遅くしてください": "Run the last bus later (until around 9 pm) so commuters can use it.",
    "学童保育の時間延長を": "Extend after-school care until 7 pm.",
}

CAMP_COMMENTS = {
    "play": [
        "子どもが思い切り遊べる場所がもっと必要です。遊具の充実に賛成です。",
        "遊具が新しくなれば、週末に家族で出かける公園が増えると思います。",
        "子育て世代が住み続けたいと思える公園にしてほしいです。",
        "インクルーシブ遊具は障害のある子の家族にとって本当に大切です。",
        "ボール遊びができない公園ばかりなので、子どもの遊び場が足りません。",
        "中高生の居場所としての広場にも賛成です。",
        "遊具を増やすなら、近くにトイレと水飲み場も必要です。",
    ],
    "green": [
        "静かに過ごせる緑の空間を残すことを優先してほしいです。",
        "遊具を増やすと騒音が増えます。周りの住宅への配慮もお願いします。",
        "木を切るのは簡単ですが、育つには何十年もかかります。",
        "鳥のさえずりが聞こえる公園は市の財産だと思います。",
        "芝生や木陰でのんびりできることが公園の一番の価値です。",
        "大型遊具より、ベンチと木陰を増やすほうが多くの人が使えます。",
        "自然観察会などで今ある緑を活かしてほしいです。",
    ],
    "safety": [
        "まず照明と見通しを良くして、安全を確保することが先決です。",
        "災害時に避難場所として使えるかどうかを基準に整備してほしいです。",
        "古い遊具の点検と修理を、新しい遊具より優先してください。",
        "夜に通り抜けるのが怖い公園があります。安全対策をお願いします。",
        "防災倉庫の中身と使い方を住民が知っておくことも大事です。",
        "防犯カメラは必要だと思いますが、映像の管理ルールを決めてください。",
        "AEDの場所が分かる案内板を入口に付けてほしいです。",
    ],
}
CAMPS = ["play", "green", "safety"]
OPPOSED = {"play": "green", "green": "play", "safety": None}
GENERIC_COMMENTS = [
    ("for", "とても良い提案だと思います。ぜひ実現してほしいです。"),
    ("for", "同じことを感じていました。賛成です。"),
    ("against", "費用がかかりすぎるのではないでしょうか。優先順位を考えるべきだと思います。"),
    ("against", "維持管理を誰がするのかが心配です。"),
    ("neutral", "他の市ではどうしているのか、事例を知りたいです。"),
    ("neutral", "利用者へのアンケートをしてから決めてはどうでしょうか。"),
    ("for", "高齢の母も同じことを言っていました。"),
    ("neutral", "場所によって事情が違うので、地域ごとに話し合う場があるとよいと思います。"),
]
ANSWERS = {
    "accepted": "ご提案ありがとうございます。来年度の計画に盛り込み、実施に向けて準備を進めます。",
    "rejected": "ご提案ありがとうございます。予算と優先度を検討した結果、今回の計画では見送ることとしました。",
    "evaluating": "ご提案ありがとうございます。現在、担当課で費用と効果を検討しています。",
}


def _expand(topics: dict, places: list[str], target: int, rng) -> list[tuple[str, str, str]]:
    """Base proposals, then local variants ("北町でも…") until ``target`` items."""
    base = [(cat, t, b) for cat, items in topics.items() for t, b in items]
    result = list(base)
    suffixes = ["でも", "について", "の件"]
    i = 0
    while len(result) < target:
        cat, title, body = base[i % len(base)]
        place = places[(i // len(base) + i) % len(places)]
        title2 = f"{place}{suffixes[i % 3]}：{title}"[:150]
        body2 = f"{place}の利用者です。{body}" + ("" if i % 4 else " 近所の方とも話し合い、同じ意見でした。")
        result.append((cat, title2, body2))
        i += 1
    rng.shuffle(result)
    return result


def seed_proposals(*, stdout, rng, **_) -> None:
    from participation.models import User
    from proposals.models import NO_STANCE, Comment, CommentVote, Follow, Proposal, ProposalState, Stance, Support
    from proposals.tally import counts_reconcile

    pages = {p.slug: p for p in consultations.canonical_pages().filter(
        slug__in=["parks-future", "community-bus", "childcare-plan"])}
    if not pages:
        stdout.write("proposals: no demo consultations, nothing seeded")
        return
    if Proposal.objects.filter(consultation__in=pages.values()).exists():
        stdout.write(f"proposals: already there ({Proposal.objects.filter(consultation__in=pages.values()).count()} proposals)")
        return
    residents = list(User.objects.filter(username__in=[f"resident{i}" for i in range(1, 21)]).order_by("id"))
    residents.sort(key=lambda u: int(u.username[8:]))
    staff = User.objects.filter(username="staff").first()
    if len(residents) < 20:
        stdout.write("proposals: demo residents missing, nothing seeded")
        return
    now = timezone.now()
    plans = [("parks-future", PARKS, 70), ("community-bus", BUS, 45), ("childcare-plan", CHILDCARE, 35)]
    proposals: list[Proposal] = []
    for slug, topics, target in plans:
        page = pages.get(slug)
        if page is None:
            continue
        categories = {c.slug: c for c in page.categories.all()}
        for n, (cat, title, body) in enumerate(_expand(topics, PARK_PLACES if slug == "parks-future" else
                                                       ["北町", "南町", "東町", "西町", "中央"], target, rng)):
            # resident1..3 write at most one proposal per consultation (limits stay free for them)
            author = residents[n] if n < 3 else residents[3 + (n % 17)]
            english = ENGLISH_NOTES.get(title)
            if english:
                body = f"{body}\n\nEnglish: {english}"
            state = ProposalState.PUBLISHED
            if slug == "childcare-plan":
                state = rng.choice([ProposalState.ACCEPTED, ProposalState.REJECTED, ProposalState.EVALUATING,
                                    ProposalState.PUBLISHED])
            elif slug == "community-bus" and n % 9 == 0:
                state = ProposalState.EVALUATING
            elif n % 23 == 22:
                state = ProposalState.WITHDRAWN
            answered = state in (ProposalState.ACCEPTED, ProposalState.REJECTED, ProposalState.EVALUATING)
            created = now - timedelta(days={"parks-future": 19, "community-bus": 45, "childcare-plan": 85}[slug] * (1 - n / (target + 5)),
                                      minutes=rng.randint(0, 600))
            proposals.append(Proposal(
                consultation=page, category=categories.get(cat), author=author, title=title[:150], body=body,
                state=state, created_at=created,
                withdrawn_at=created + timedelta(days=1) if state == ProposalState.WITHDRAWN else None,
                official_answer=ANSWERS.get(state, "") if answered else "",
                answered_at=created + timedelta(days=10) if answered else None,
                answered_by=staff if answered else None,
                latitude=35.6812 + rng.uniform(-0.02, 0.02) if slug == "parks-future" and n % 3 == 0 else None,
                longitude=139.56 + rng.uniform(-0.02, 0.02) if slug == "parks-future" and n % 3 == 0 else None,
            ))
    Proposal.objects.bulk_create(proposals, batch_size=500)
    proposals = list(Proposal.objects.filter(consultation__in=pages.values()).select_related("consultation").order_by("pk"))
    Follow.objects.bulk_create([Follow(proposal=p, user_id=p.author_id) for p in proposals], ignore_conflicts=True)

    # Comments. Parks: camp-themed top-level comments, replies, generic ones; others: generic.
    comments: list[Comment] = []
    camp_of_comment: dict[int, str] = {}
    for p in proposals:
        slug = p.consultation.slug
        if slug == "parks-future":
            count = 2 if p.pk % 2 else 1
            for k in range(count):
                camp = CAMPS[(p.pk + k) % 3]
                text = CAMP_COMMENTS[camp][(p.pk * 3 + k) % len(CAMP_COMMENTS[camp])]
                author = residents[3 + ((p.pk + k * 7) % 17)]
                stance = "for" if (camp == "play") == (p.category and p.category.slug == "play") else "neutral"
                c = Comment(proposal=p, author=author, body=text, stance=stance, depth=1,
                            created_at=p.created_at + timedelta(hours=2 + k * 5))
                c._camp = camp
                comments.append(c)
        else:
            for k in range(p.pk % 3):
                stance, text = GENERIC_COMMENTS[(p.pk + k) % len(GENERIC_COMMENTS)]
                comments.append(Comment(proposal=p, author=residents[3 + ((p.pk * 5 + k) % 17)], body=text,
                                        stance=stance, depth=1, created_at=p.created_at + timedelta(hours=3 + k * 7)))
    Comment.objects.bulk_create(comments, batch_size=500)
    for c in comments:
        if getattr(c, "_camp", None):
            camp_of_comment[c.pk] = c._camp
    # A few replies (depth 2) to keep the threads alive.
    replies = []
    for c in comments[::6]:
        stance, text = GENERIC_COMMENTS[c.pk % len(GENERIC_COMMENTS)]
        stance = NO_STANCE if stance == Stance.NEUTRAL else stance  # a reply takes a side, or none
        replies.append(Comment(proposal_id=c.proposal_id, author=residents[3 + (c.pk % 17)], parent_id=c.pk, depth=2,
                               body=text, stance=stance, created_at=c.created_at + timedelta(hours=6)))
    Comment.objects.bulk_create(replies, batch_size=500)

    # Votes: everybody on the parks camp comments, consistently with their camp (10 % noise).
    comment_time = dict(Comment.objects.filter(pk__in=list(camp_of_comment)).values_list("pk", "created_at"))
    now = timezone.now()
    votes = []
    for i, user in enumerate(residents):
        camp = CAMPS[i % 3]
        for comment_id, comment_camp in camp_of_comment.items():
            if rng.random() > 0.7:
                continue
            if comment_camp == camp:
                value = 1
            elif OPPOSED[camp] == comment_camp or OPPOSED[comment_camp] == camp:
                value = -1
            else:
                value = rng.choice([1, -1])
            if rng.random() < 0.1:
                value = -value
            # Cast over the days after the comment, as residents come by (groups replay votes in time order).
            cast = comment_time[comment_id] + timedelta(hours=rng.randint(1, 24 * 14), minutes=rng.randint(0, 59))
            votes.append(CommentVote(comment_id=comment_id, user=user, value=value, created_at=min(cast, now)))
    CommentVote.objects.bulk_create(votes, batch_size=1000, ignore_conflicts=True)

    # Supports from resident4..20, well under each consultation's limit.
    supports = []
    by_page: dict[int, list[Proposal]] = {}
    for p in proposals:
        by_page.setdefault(p.consultation_id, []).append(p)
    for page in pages.values():
        candidates = [p for p in by_page.get(page.pk, []) if p.state != ProposalState.WITHDRAWN]
        if not candidates:
            continue
        limit = page.supports_per_user or 8
        per_user = max(1, min(limit - 2, 6))
        weights = [1 + (p.pk * 7919) % 10 for p in candidates]
        for user in residents[3:]:
            chosen = set()
            while len(chosen) < min(per_user, len(candidates)):
                chosen.add(rng.choices(range(len(candidates)), weights=weights)[0])
            for idx in chosen:
                p = candidates[idx]
                supports.append(Support(proposal=p, user=user, consultation_id=page.pk,
                                        created_at=p.created_at + timedelta(hours=rng.randint(1, 200))))
    Support.objects.bulk_create(supports, batch_size=1000, ignore_conflicts=True)
    fixed = counts_reconcile(fix=True)
    stdout.write(
        f"proposals: {len(proposals)} proposals, {len(comments) + len(replies)} comments, {len(votes)} comment votes, "
        f"{len(supports)} supports ({len(fixed)} counters set)"
    )
