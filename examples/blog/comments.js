// Lists a thread's approved comments from modq. Optional: the comment form works without it.
// Everything a visitor wrote is set with textContent, never innerHTML, so it is shown as text.
"use strict";

(function () {
  const section = document.getElementById("comments");
  const list = document.getElementById("comment-list");
  if (!section || !list) return;
  const url = section.dataset.modq + "/api/v1/comments?post=" + encodeURIComponent(section.dataset.post);

  function webLink(address) {
    try {
      const parsed = new URL(address);
      return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
    } catch (error) {
      return null;
    }
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function render(comment) {
    const item = element("li", "comment");
    item.id = "comment-" + comment.id;
    const author = element("p", "author");
    const href = comment.homepage && webLink(comment.homepage);
    if (href) {
      const link = element("a", "name", comment.name);
      link.href = href;
      link.rel = "nofollow ugc noopener";
      author.append(link);
    } else {
      author.append(element("strong", "name", comment.name));
    }
    const time = element("time", "date", comment.created_at.slice(0, 10));
    time.dateTime = comment.created_at;
    author.append(" ", time);
    item.append(author, element("p", "text", comment.body));
    return item;
  }

  fetch(url, { headers: { Accept: "application/json" } })
    .then((response) => (response.ok ? response.json() : Promise.reject(new Error(response.status))))
    .then((thread) => {
      list.replaceChildren(...thread.comments.map(render));
      if (!thread.comments.length) list.append(element("li", "empty", "No comments yet. まだコメントはありません。"));
    })
    .catch(() => list.append(element("li", "empty", "Comments could not be loaded.")));
})();
