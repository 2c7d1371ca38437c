export const id = 672;
export const ids = [672];
export const modules = {

/***/ 9672:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   fetchRelease: () => (/* binding */ fetchRelease)
/* harmony export */ });
/* harmony import */ var _inputError_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(2981);
/* harmony import */ var _notification_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(7420);


/**
 * @throws InputError when the repository has no release with that tag (a mistake in the workflow); an Error
 * with `failureKind` 'unreachable' when the API did not answer, 'refused' when it answered with an error.
 */
async function fetchRelease(tag, token, context) {
    const { getOctokit } = await Promise.all(/* import() */[__webpack_require__.e(119), __webpack_require__.e(785)]).then(__webpack_require__.bind(__webpack_require__, 2785));
    const octokit = getOctokit(token, { baseUrl: context.apiUrl });
    const [owner, repo] = context.repository.split('/');
    try {
        const { data } = await octokit.rest.repos.getReleaseByTag({ owner: owner, repo: repo, tag });
        return (0,_notification_js__WEBPACK_IMPORTED_MODULE_1__/* .toReleaseInfo */ .dq)(data);
    }
    catch (error) {
        const { status, response } = error;
        if (status === 404)
            throw new _inputError_js__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .dz('release-tag', `must name a release of ${context.repository}; the GitHub API has none tagged ${JSON.stringify(tag)} (404)`);
        const what = `reading release ${JSON.stringify(tag)} through the GitHub API (${context.apiUrl})`;
        // Octokit reports a request that got no answer (DNS, refused, reset) as status 500 without a response: no
        // such status ever came back, so it is not shown.
        if (!response) {
            throw Object.assign(new Error(`${what} failed: the API could not be reached (${error.message})`, { cause: error }), {
                failureKind: 'unreachable',
            });
        }
        throw Object.assign(new Error(`${what} failed with ${status}: ${error.message}`, { cause: error }), { failureKind: 'refused' });
    }
}

/***/ })

};
