// A scenario run's page while the run is under way: every few seconds, ask how far it has got
// and say so in place (the status region is announced politely); once it has ended, offer the
// link to the results rather than reloading under the reader. Without this script the page's
// own "Check progress" link does the same.
const status = document.querySelector("[data-run-progress]")
const EVERY_MS = 3000

if (status) {
  const url = status.dataset.runProgress
  const timer = setInterval(async () => {
    let answer
    try {
      answer = await fetch(url, { headers: { Accept: "application/json" } })
    } catch {
      return
    }
    if (!answer.ok) return
    const run = await answer.json()
    if (!run.ended) {
      status.textContent = run.progress
      return
    }
    clearInterval(timer)
    const link = document.createElement("a")
    link.className = "govuk-link"
    link.href = window.location.pathname
    link.textContent = "show the results"
    status.textContent = `${run.progress}: `
    status.append(link)
  }, EVERY_MS)
}
