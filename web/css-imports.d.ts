/** `import './page.css'` in a lazily loaded module: the build turns it into requireStylesheet (web/stylesheets.ts). */
declare module '*.css';
